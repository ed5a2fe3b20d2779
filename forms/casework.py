"""The one state machine of a case (民情收集 → 期限办理 → 结果反馈 → 跟踪监督).

TRANSITIONS is the single table of what may happen in which state; `perform` is the single
function that changes a case's state and records the event. Views and commands call
`perform`, never set `state` themselves.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CaseEvent, GrievanceReport
from .notifications import notify_case_update
from .workdays import add_working_days

S = GrievanceReport.State

# Who may take an action: the community moderator (审核/社区书记) or the case's grid worker.
MODERATOR = "moderator"
WORKER = "worker"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset
    note_required: bool = False
    public_by_default: bool = True


def _t(action, label, sources, target, roles, **kwargs):
    return Transition(action, label, frozenset(sources), target, frozenset(roles), **kwargs)


TRANSITIONS = {
    t.action: t
    for t in [
        _t("accept", _("受理"), {S.SUBMITTED}, S.ACCEPTED, {MODERATOR}),
        _t("decline", _("不予受理"), {S.SUBMITTED}, S.DECLINED, {MODERATOR}, note_required=True),
        _t("mark_duplicate", _("标记为重复件"), {S.SUBMITTED, S.ACCEPTED}, S.DUPLICATE, {MODERATOR}),
        # Dispatch, transfer and return notes are instructions between staff: internal unless ticked.
        _t("dispatch", _("派单"), {S.ACCEPTED, S.RETURNED}, S.DISPATCHED, {MODERATOR}, public_by_default=False),
        _t(
            "transfer",
            _("转办"),
            {S.ACCEPTED, S.DISPATCHED, S.RETURNED},
            S.ACCEPTED,
            {MODERATOR},
            note_required=True,
            public_by_default=False,
        ),
        _t(
            "return",
            _("退单"),
            {S.DISPATCHED, S.IN_PROGRESS},
            S.RETURNED,
            {WORKER},
            note_required=True,
            public_by_default=False,
        ),
        _t("start", _("开始办理"), {S.DISPATCHED}, S.IN_PROGRESS, {WORKER, MODERATOR}),
        _t("resolve", _("办结"), {S.IN_PROGRESS}, S.RESOLVED, {WORKER, MODERATOR}, note_required=True),
        _t(
            "follow_up",
            _("回访"),
            {S.RESOLVED},
            S.FOLLOWED_UP,
            {WORKER, MODERATOR},
            note_required=True,
            public_by_default=False,
        ),
        _t("reopen", _("重办"), {S.RESOLVED, S.FOLLOWED_UP, S.CLOSED}, S.DISPATCHED, {MODERATOR}, note_required=True),
        _t("close", _("归档"), {S.FOLLOWED_UP, S.RESOLVED, S.DECLINED, S.DUPLICATE}, S.CLOSED, {MODERATOR}),
    ]
}


class TransitionError(ValidationError):
    """A refused transition; its message is shown to staff as is."""


def allowed_actions(report, role):
    return [t for t in TRANSITIONS.values() if report.state in t.sources and role in t.roles]


def perform(report, action, actor=None, *, role=MODERATOR, note="", public=None, **data):
    """Apply `action` to `report` (locked for the duration) and record a CaseEvent.

    `data` carries what some actions need: assignee (dispatch), grid (transfer),
    duplicate_of (mark_duplicate). Refusals raise TransitionError with a Chinese message.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("没有这个操作。"))
    note = (note or "").strip()
    with transaction.atomic():
        # Lock the row so two staff acting at once cannot both move the case.
        report = GrievanceReport.objects.select_for_update().get(pk=report.pk)
        if report.state not in transition.sources:
            raise TransitionError(
                _("工单当前状态为“%(state)s”，不能%(action)s。")
                % {"state": report.get_state_display(), "action": transition.label}
            )
        if role not in transition.roles:
            raise TransitionError(_("您的角色不能执行“%(action)s”。") % {"action": transition.label})
        if transition.note_required and not note:
            raise TransitionError(_("请填写%(action)s的说明。") % {"action": transition.label})
        now = timezone.now()
        from_state = report.state
        _apply(report, transition, now, note, data)
        report.state = transition.target
        report.save()
        event = CaseEvent.objects.create(
            report=report,
            action=action,
            from_state=from_state,
            to_state=report.state,
            actor=actor,
            note=note,
            public=transition.public_by_default if public is None else public,
            created_at=now,
        )
        # Inside the transaction: the task is enqueued on commit, and dropped if it rolls back.
        notify_case_update(event)
    return report, event


def _apply(report, transition, now, note, data):
    action = transition.action
    if action == "accept":
        report.accepted_at = now
        report.resolve_due = add_working_days(now, report.category.resolve_within_days)
    elif action == "mark_duplicate":
        original = data.get("duplicate_of")
        if original is None or original.pk == report.pk:
            raise TransitionError(_("请选择与之重复的另一张工单。"))
        report.duplicate_of = original
    elif action == "dispatch":
        assignee = data.get("assignee")
        if assignee is None or not report.grid.workers.filter(pk=assignee.pk).exists():
            raise TransitionError(_("请选择本网格的网格员。"))
        report.assignee = assignee
    elif action == "transfer":
        grid = data.get("grid")
        if grid is None or grid.pk == report.grid_id:
            raise TransitionError(_("请选择要转办到的另一个网格。"))
        report.grid = grid
        report.community_id = grid.community_id
        report.assignee = None
    elif action == "return":
        report.assignee = None
    elif action == "resolve":
        report.resolved_at = now
        report.result = note
        report.overdue = report.overdue or now > report.resolve_due
    elif action == "reopen":
        report.resolved_at = None
        report.closed_at = None
        report.rating = ""
        report.resolve_due = add_working_days(now, report.category.resolve_within_days)
        if report.assignee_id is None:
            raise TransitionError(_("这张工单没有承办人，请先派单。"))
    elif action == "close":
        report.closed_at = now


def rate(report, rating, comment=""):
    """The reporter's one rating; 不满意 reopens the case (重办)."""
    with transaction.atomic():
        report = GrievanceReport.objects.select_for_update().get(pk=report.pk)
        if report.rating:
            raise TransitionError(_("这张工单已经评价过了。"))
        if report.state not in RATEABLE_STATES:
            raise TransitionError(_("工单办结后才能评价。"))
        now = timezone.now()
        report.rating = rating
        report.rating_comment = comment
        report.rated_at = now
        report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        CaseEvent.objects.create(
            report=report,
            action="rate",
            from_state=report.state,
            to_state=report.state,
            rating=rating,
            note=f"{report.get_rating_display()} {comment}".strip(),
            public=True,
            created_at=now,
        )
        if rating == GrievanceReport.Rating.UNSATISFIED and report.assignee_id:
            # Reopening clears the rating so the redone work is rated afresh; this one stays as an event.
            report, _event = perform(report, "reopen", None, note=_("反映人评价不满意，自动转为重办。"))
    return report


RATEABLE_STATES = {S.RESOLVED, S.FOLLOWED_UP, S.CLOSED}
