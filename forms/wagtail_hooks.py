"""Admin wiring of what comes in: the 入盟申请 review (menu and URLs) and the convention snippet."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.tables import DateTimeColumn

from .apply import review
from .apply.permissions import can_review_any
from .models import Convention

application_urls = [
    path("", review.application_list, name="index"),
    path("<int:pk>/", review.application_detail, name="detail"),
    path("<int:pk>/<str:action>/", review.application_action, name="action"),
    path("photo/<int:pk>/", review.application_photo, name="photo"),
]


@hooks.register("register_admin_urls")
def register_application_urls():
    return [path("applications/", include((application_urls, "applications"), namespace="applications"))]


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review_any(request.user)


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ApplicationsMenuItem(_("入盟申请"), reverse("applications:index"), icon_name="form", order=210)


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
        DateTimeColumn("published_at", label=_("发布时间"), sort_key="published_at"),
    ]
    search_fields = ["title", "version"]


register_snippet(ConventionViewSet)
