"""Admin wiring for merchant applications and the convention snippet.

Wagtail only auto-imports `wagtail_hooks`; forms/wagtail_hooks.py imports this module.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import application_admin
from .models import Convention


@hooks.register("register_admin_urls")
def register_application_urls():
    return [
        path("applications/", application_admin.application_list, name="intake_applications"),
        path("applications/<int:pk>/", application_admin.application_detail, name="intake_application_detail"),
        path(
            "applications/<int:pk>/<str:action>/",
            application_admin.application_action,
            name="intake_application_action",
        ),
        path("applications/photo/<int:pk>/", application_admin.application_photo, name="intake_application_photo"),
    ]


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return application_admin.can_review_any(request.user)


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ApplicationsMenuItem(_("入盟申请"), reverse("intake_applications"), icon_name="form", order=210)


class ConventionViewSet(SnippetViewSet):
    model = Convention
    icon = "doc-full"
    menu_label = _("自治公约")
    menu_order = 220
    add_to_admin_menu = True
    list_display = [
        "title",
        "version",
        BooleanColumn("published", label=_("已发布")),
        DateColumn("published_at", label=_("发布时间")),
    ]
    search_fields = ["title", "version"]


register_snippet(ConventionViewSet)
