"""Admin wiring of volunteer points: the 志愿积分 menu and URLs, the activities snippet, and the audit
log's actions (every staff action on someone's points is logged under one of these)."""

from django.db.models import Count, Q
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.adminmenu import PermittedMenuItem
from portal.tables import DateTimeColumn

from . import admin_views, earning, ledger, views
from . import permissions as can
from .forms import ActivityAdminForm
from .models import Account, Activity, Attendance, ReversalRequest

app_name = "points_admin"

urlpatterns = [
    path("activities/<int:pk>/attendance/", admin_views.AttendanceView.as_view(), name="attendance"),
    path("confirm/", admin_views.ConfirmQueueView.as_view(), name="confirm"),
    path("accounts/", admin_views.AccountIndexView.as_view(), name="accounts"),
    path("accounts/new/", admin_views.AddPersonView.as_view(), name="add_person"),
    path("accounts/<int:pk>/", admin_views.AccountDetailView.as_view(), name="account"),
    path("accounts/<int:pk>/card/", admin_views.IssueCardView.as_view(), name="issue_card"),
    path("accounts/<int:pk>/act-for/", admin_views.ActForView.as_view(), name="act_for"),
    path("transfers/<int:pk>/reverse/", admin_views.RequestReversalView.as_view(), name="request_reversal"),
    path("reversals/", admin_views.ReversalQueueView.as_view(), name="reversals"),
    path("settlements/", admin_views.SettlementView.as_view(), name="settlements"),
    path("settlements/<int:merchant_pk>.xlsx", admin_views.settlement_statement, name="statement"),
]


@hooks.register("register_admin_urls")
def register_points_urls():
    return [path("points/", include((urlpatterns, app_name), namespace=app_name))]


class ActivityIndexView(IndexView):
    def get_base_queryset(self):
        confirmed = Count("sign_ups", filter=Q(sign_ups__status="confirmed"), distinct=True)
        waiting = Count("attendances", filter=Q(attendances__confirmed_at__isnull=True), distinct=True)
        return super().get_base_queryset().select_related("notice").annotate(signed_up=confirmed, to_confirm=waiting)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if can.can_record(self.request.user):
            url = reverse("points_admin:attendance", args=[instance.pk])
            buttons.insert(0, ListingButton(_("登记出勤"), url=url, icon_name="tick", priority=5))
        return buttons


class ActivityViewSet(SnippetViewSet):
    model = Activity
    index_view_class = ActivityIndexView
    icon = "date"
    menu_label = _("志愿活动")
    list_display = [
        "__str__",
        DateTimeColumn("starts_at", label=_("开始时间"), sort_key="starts_at"),
        Column("places", label=_("名额")),
        Column("signed_up", label=_("已报名")),
        Column("to_confirm", label=_("待复核出勤")),
    ]
    list_filter = ["organiser"]
    ordering = ["-starts_at"]
    edit_handler = ObjectList(
        [
            FieldPanel("notice"),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldRowPanel([FieldPanel("places"), FieldPanel("sign_up_until")]),
            FieldRowPanel([FieldPanel("points_per_hour"), FieldPanel("points_cap")]),
            FieldPanel("organiser"),
        ],
        base_form_class=ActivityAdminForm,
    )


class PointsGroup(SnippetViewSetGroup):
    """The 志愿积分 menu: the activities snippet, then the queues and ledgers each role may use."""

    menu_label = _("志愿积分")
    menu_icon = "pick"
    menu_name = "points"
    menu_order = 160
    items = (ActivityViewSet,)

    def get_submenu_items(self):
        return super().get_submenu_items() + [
            PermittedMenuItem(
                _("出勤复核"), reverse("points_admin:confirm"), can.can_confirm, icon_name="tick", order=20
            ),
            PermittedMenuItem(
                _("积分账户"), reverse("points_admin:accounts"), can.can_view_accounts, icon_name="user", order=30
            ),
            PermittedMenuItem(
                _("冲正复核"), reverse("points_admin:reversals"), can.can_approve_reversal, icon_name="undo", order=40
            ),
            PermittedMenuItem(
                _("月度结算"), reverse("points_admin:settlements"), can.can_settle, icon_name="table", order=50
            ),
        ]


register_snippet(PointsGroup)


class PointsPanel(Component):
    """What waits for this user's second signature: attendance to confirm and reversals to approve.

    What the user recorded or asked for themselves is left out: the two-person rule means it waits
    for a colleague, and counting it here would send them to a queue where they can do nothing.
    """

    name = "points"
    order = 60
    template_name = "points/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        context = {}
        if can.can_confirm(user):
            waiting = Attendance.objects.filter(confirmed_at__isnull=True).exclude(recorded_by=user)
            context.update(attendance=waiting.count(), confirm_url=reverse("points_admin:confirm"))
        if can.can_approve_reversal(user):
            pending = ReversalRequest.objects.filter(status=ReversalRequest.Status.PENDING).exclude(requested_by=user)
            context.update(reversals=pending.count(), reversals_url=reverse("points_admin:reversals"))
        return context


@hooks.register("construct_homepage_panels")
def add_points_panel(request, panels):
    if can.can_confirm(request.user) or can.can_approve_reversal(request.user):
        panels.append(PointsPanel(request))


@hooks.register("register_log_actions")
def register_points_log_actions(actions):
    actions.register_action("points.record_attendance", _("登记出勤"), _("登记了出勤"))
    actions.register_action("points.confirm_attendance", _("复核发放积分"), _("复核并发放了积分"))
    actions.register_action("points.reverse", _("冲正积分"), _("冲正了一笔积分"))
    actions.register_action("points.settle", _("确认月度结算"), _("确认了月度结算"))
    actions.register_action("points.act_for", _("代办"), _("代居民办理"))
    actions.register_action("points.issue_card", _("发放积分卡"), _("发放了积分卡"))
    actions.register_action("points.add_person", _("添加居民"), _("添加了居民账号"))
    actions.register_action("points.request_reversal", _("申请冲正"), _("申请冲正一笔积分"))
    actions.register_action("points.reject_reversal", _("驳回冲正"), _("驳回了冲正申请"))


# --- What points add to other apps' pages (they do not import points) -------------------------


@hooks.register("my_sections")
def my_points(request, person):
    return views.my_points_section(request, person)


@hooks.register("person_closing")
def settle_points_on_closing(person, at):
    ledger.take_back_on_closing(person, at)
    earning.withdraw_on_closing(person, at)


@hooks.register("closing_summary")
def closing_points_line(person):
    account = Account.objects.filter(person=person).first()
    if account and account.balance > 0:
        return _("志愿积分余额 %(balance)d 分作废，不能再到商户抵扣；") % {"balance": account.balance}
    return None


@hooks.register("notice_extras")
def notice_points(notice, request):
    """A volunteer notice's sessions with their sign-up, and the points issued for them (公示)."""
    if notice.kind != notice.Kind.VOLUNTEER:
        return None
    block = views.notice_activities(notice, request)
    block["issued"] = views.issued_for_notice(notice)
    if not block["activities"] and not block["issued"]:
        return None
    block["template"] = "points/notice_activities.html"
    return block
