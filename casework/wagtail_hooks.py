"""Admin wiring for casework: the 工单 menu and URLs, the dashboard panel, and the
snippets staff use to set time limits (诉求类别) and the holiday calendar (节假日调整)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, re_path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, IndexView, SnippetViewSet, SnippetViewSetGroup

from . import views
from .models import CalendarDay, CaseCategory, GrievanceReport, Open311Client
from .permissions import is_caseworker, is_moderating
from .workdays import year_is_loaded

app_name = "casework"

urlpatterns = [
    path("", views.CaseIndexView.as_view(), name="index"),
    path("results/", views.CaseIndexView.as_view(results_only=True), name="index_results"),
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
    path("supervision/results/", views.SupervisionView.as_view(results_only=True), name="supervision_results"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/reveal/", views.reveal_contact_view, name="reveal_contact"),
    path("<int:pk>/merchant/", views.link_merchant_view, name="link_merchant"),
    path("<int:pk>/action/<slug:action>/", views.perform_action, name="action"),
    path("<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="photo"),
]


def moved_snippet(request, model, rest):
    """The settings snippets lived under the intake app until the house moved (casework/0001):
    old bookmarks land on the same page under its new address."""
    return redirect(f"{reverse('wagtailadmin_home')}snippets/casework/{model}/{rest}", permanent=True)


@hooks.register("register_admin_urls")
def register_case_urls():
    return [
        path("cases/", include((urlpatterns, app_name), namespace=app_name)),
        re_path(
            r"^snippets/intake/(?P<model>casecategory|calendarday)/(?P<rest>[\w/-]*)$",
            moved_snippet,
            name="casework_moved_snippet",
        ),
    ]


class CaseworkerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_caseworker(request.user)


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return is_moderating(request.user)


class CaseworkerSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return is_caseworker(request.user) and super().is_shown(request)


@hooks.register("register_admin_menu_item")
def register_case_menu():
    menu = Menu(
        items=[
            CaseworkerMenuItem(_("民情诉求"), reverse("casework:index"), icon_name="clipboard-list", order=100),
            ModeratorMenuItem(_("督办"), reverse("casework:supervision"), icon_name="warning", order=200),
            ModeratorMenuItem(_("工单统计"), reverse("casework:stats"), icon_name="table", order=300),
        ]
    )
    return CaseworkerSubmenu(_("工单"), menu, icon_name="clipboard-list", name="cases", order=150)


class CasePanel(Component):
    """The user's open / overdue / due-today cases, and the next-year calendar warning."""

    name = "casework"
    order = 50
    template_name = "casework/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        next_year = timezone.localdate().year + 1
        context = {"next_year": next_year, "calendar_missing": not year_is_loaded(next_year)}
        if is_caseworker(user):
            context["counts"] = GrievanceReport.objects.visible_to(user).dashboard_counts()
            context["index_url"] = reverse("casework:index")
        return context


@hooks.register("construct_homepage_panels")
def add_case_panel(request, panels):
    user = request.user
    if is_caseworker(user) or user.has_perm("casework.change_calendarday"):
        panels.append(CasePanel(request))


class CaseCategoryViewSet(SnippetViewSet):
    model = CaseCategory
    icon = "tag"
    menu_label = _("诉求类别")
    list_display = [
        "name",
        "slug",
        Column("accept_within_hours", label=_("受理时限（工作小时）"), sort_key="accept_within_hours"),
        Column("resolve_within_days", label=_("办结时限（工作日）"), sort_key="resolve_within_days"),
        BooleanColumn("active", label=_("启用")),
    ]
    ordering = ["sort_order", "pk"]


def calendar_warning(year):
    return _(
        "%(year)s 年的节假日安排尚未载入：期限暂按周末计算。国务院公布放假安排后，请在这里录入放假和调休上班日期。"
    ) % {"year": year}


class CalendarDayIndexView(IndexView):
    def get(self, request, *args, **kwargs):
        next_year = timezone.localdate().year + 1
        if not self.results_only and not year_is_loaded(next_year):
            messages.warning(request, calendar_warning(next_year))
        return super().get(request, *args, **kwargs)


class CalendarDayViewSet(SnippetViewSet):
    model = CalendarDay
    index_view_class = CalendarDayIndexView
    icon = "date"
    menu_label = _("节假日调整")
    list_display = ["date", BooleanColumn("is_workday", label=_("调休上班")), "note"]
    list_filter = ["is_workday"]
    ordering = ["-date"]


class Open311ClientCreateView(CreateView):
    """Issues the key: saved as its hash, and shown in clear on this one response (never stored, never
    in a message or the session). Wagtail's create action writes the audit log entry."""

    def save_instance(self):
        self.key = self.form.instance.new_key()
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def save_action(self):
        response = TemplateResponse(
            self.request,
            "casework/admin/open311_key.html",
            {
                **self.get_context_data(),
                "client": self.object,
                "key": self.key,
                "index_url": reverse(self.index_url_name),
                "endpoint": reverse("open311_requests"),
            },
        )
        add_never_cache_headers(response)
        return response


class Open311ClientViewSet(SnippetViewSet):
    """Open311 接口密钥: who may POST cases to /open311/v2/requests; add, change (revoke) and view
    are the model's permissions (superusers, or a group an administrator grants them to)."""

    model = Open311Client
    add_view_class = Open311ClientCreateView
    icon = "key"
    menu_label = _("Open311 接口密钥")
    list_display = [
        "name",
        Column("key_prefix", label=_("密钥开头")),
        BooleanColumn("active", label=_("启用")),
        Column("created_by", label=_("签发人")),
        Column("created_at", label=_("签发时间"), sort_key="created_at"),
        Column("last_used_at", label=_("最近使用"), sort_key="last_used_at"),
    ]
    list_filter = ["active"]
    ordering = ["-created_at"]
    copy_view_enabled = False


class CaseSettingsGroup(SnippetViewSetGroup):
    menu_label = _("工单设置")
    menu_icon = "cogs"
    menu_order = 210
    items = (CaseCategoryViewSet, CalendarDayViewSet, Open311ClientViewSet)


register_snippet(CaseSettingsGroup)


# --- The reporter's own account (accounts/ calls these hooks; casework does not import it) ---------


@hooks.register("person_verified")
def link_reported_cases(person):
    GrievanceReport.objects.link_reporter(person.user, person.mobile)


@hooks.register("my_sections")
def my_cases_section(request, person):
    if person.is_verified:
        # Cases reported with this mobile since the last sign-in join the list too.
        GrievanceReport.objects.link_reporter(person.user, person.mobile)
    cases = GrievanceReport.objects.filter(reporter_user=person.user).select_related("category").order_by("-created_at")
    cases = cases[:20]
    return {
        "slug": "cases",
        "title": _("我反映的问题"),
        "template": "casework/my_cases.html",
        "cases": list(cases),
        "order": 30,
    }
