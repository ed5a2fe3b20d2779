"""Admin wiring of volunteer points: the audit log's actions (every staff action on someone's points)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import views


@hooks.register("register_log_actions")
def register_points_log_actions(actions):
    actions.register_action("points.record_attendance", _("登记出勤"), _("登记了出勤"))
    actions.register_action("points.confirm_attendance", _("复核发放积分"), _("复核并发放了积分"))
    actions.register_action("points.reverse", _("冲正积分"), _("冲正了一笔积分"))
    actions.register_action("points.settle", _("确认月度结算"), _("确认了月度结算"))
    actions.register_action("points.act_for", _("代办"), _("代居民办理"))
    actions.register_action("points.issue_card", _("发放积分卡"), _("发放了积分卡"))


# --- What points add to other apps' pages (they do not import points) -------------------------


@hooks.register("my_sections")
def my_points(request, person):
    return views.my_points_section(request, person)


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
