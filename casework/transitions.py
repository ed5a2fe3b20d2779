"""The one state machine of a case (民情收集 → 期限办理 → 结果反馈 → 跟踪监督).

MACHINE is the single table of what may happen in which state, each transition with its effect
(portal/statemachine.py gives every machine this shape). `perform` is the one way a case changes
state; `rate`, `supervise`, `reveal_contact` and `purge_contact` record what happens without a
change of state. All of them write their CaseEvent through `record`, the only code that does.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.statemachine import StateMachine, Transition, TransitionError

from .models import RATEABLE_STATES, CaseEvent, GrievanceReport, State
from .notifications import notify_assigned, notify_case_update, notify_overdue, notify_returned, notify_transferred
from .workdays import add_working_days

S = State
A = CaseEvent.Action

# Who may take an action: the community moderator (审核/社区书记) or the case's assignee (承办网格员).
# A colleague of the same grid sees the case (GRID_WORKER) but no transition lists that role:
# a case dispatched to someone is theirs to start, return, resolve and follow up.
MODERATOR = "moderator"
WORKER = "worker"
GRID_WORKER = "grid_worker"

__all__ = [
    "GRID_WORKER",
    "MACHINE",
    "MODERATOR",
    "WORKER",
    "TransitionError",
    "link_merchant",
    "perform",
    "rate",
    "record",
]


# --- Effects: what a transition changes besides the state -------------------------------------


def _accept(report, change):
    report.accepted_at = change.now
    report.resolve_due = add_working_days(change.now, report.category.resolve_within_days)


def _mark_duplicate(report, change):
    original = change.data.get("duplicate_of")
    if original is None or original.pk == report.pk:
        raise TransitionError(_("请选择与之重复的另一张工单。"))
    report.duplicate_of = original


def _dispatch(report, change):
    assignee = change.data.get("assignee")
    if assignee is None or not report.grid.workers.filter(pk=assignee.pk).exists():
        raise TransitionError(_("请选择本网格的网格员。"))
    report.assignee = assignee


def _transfer(report, change):
    grid = change.data.get("grid")
    if grid is None or grid.pk == report.grid_id:
        raise TransitionError(_("请选择要转办到的另一个网格。"))
    report.grid = grid
    report.community_id = grid.community_id
    report.assignee = None


def _return(report, change):
    report.assignee = None


def _resolve(report, change):
    report.resolved_at = change.now
    report.result = change.note
    report.overdue = report.overdue or change.now > report.resolve_due


def _reopen(report, change):
    if report.assignee_id is None:
        raise TransitionError(_("这张工单没有承办人，请先派单。"))
    report.resolved_at = None
    report.closed_at = None
    report.rating = ""
    report.resolve_due = add_working_days(change.now, report.category.resolve_within_days)


def _close(report, change):
    report.closed_at = change.now


def _t(action, sources, target, roles, effect=None, **options):
    return Transition(action, frozenset(sources), target, effect, frozenset(roles), **options)


# --- Recording ---------------------------------------------------------------------------------


def event_for(
    report, action, *, actor=None, from_state=None, to_state=None, note="", public=False, rating="", created_at=None
):
    """An unsaved CaseEvent of `action` on `report` (states default to the case's current one).

    record() saves it; the district demo data builds half a million of them and bulk-creates them.
    """
    return CaseEvent(
        report=report,
        action=action,
        from_state=report.state if from_state is None else from_state,
        to_state=report.state if to_state is None else to_state,
        actor=actor,
        note=note,
        public=public,
        rating=rating,
        created_at=created_at or timezone.now(),
    )


def record(report, action, **fields):
    """Write the CaseEvent of something that happened to `report` (already saved in its new state),
    and tell the reporter on commit when the event is public."""
    event = event_for(report, action, **fields)
    event.save()
    notify_case_update(event)
    return event


def _record_transition(report, change):
    public = change.data.get("public")
    event = record(
        report,
        change.transition.action,
        actor=change.actor,
        from_state=change.from_state,
        note=change.note,
        public=change.transition.public_by_default if public is None else public,
        created_at=change.now,
    )
    if change.transition.action in (A.DISPATCH, A.REOPEN):
        notify_assigned(event)  # the case is now the assignee's to start
    elif change.transition.action == A.TRANSFER:
        notify_transferred(event)  # the new grid's to expect, its community's moderators' to dispatch
    elif change.transition.action == A.RETURN:
        notify_returned(event)  # back with the moderators, to dispatch again or transfer
    return event


MACHINE = StateMachine(
    GrievanceReport,
    [
        _t(A.ACCEPT, {S.SUBMITTED}, S.ACCEPTED, {MODERATOR}, _accept, primary=True),
        _t(A.DECLINE, {S.SUBMITTED}, S.DECLINED, {MODERATOR}, note_required=True),
        _t(A.MARK_DUPLICATE, {S.SUBMITTED, S.ACCEPTED}, S.DUPLICATE, {MODERATOR}, _mark_duplicate),
        # Dispatch, transfer and return notes are instructions between staff: internal unless ticked.
        _t(
            A.DISPATCH,
            {S.ACCEPTED, S.RETURNED},
            S.DISPATCHED,
            {MODERATOR},
            _dispatch,
            public_by_default=False,
            primary=True,
        ),
        _t(
            A.TRANSFER,
            {S.ACCEPTED, S.DISPATCHED, S.RETURNED},
            S.ACCEPTED,
            {MODERATOR},
            _transfer,
            note_required=True,
            public_by_default=False,
        ),
        _t(
            A.RETURN,
            {S.DISPATCHED, S.IN_PROGRESS},
            S.RETURNED,
            {WORKER},
            _return,
            note_required=True,
            public_by_default=False,
        ),
        _t(A.START, {S.DISPATCHED}, S.IN_PROGRESS, {WORKER, MODERATOR}, primary=True),
        _t(A.RESOLVE, {S.IN_PROGRESS}, S.RESOLVED, {WORKER, MODERATOR}, _resolve, note_required=True, primary=True),
        _t(
            A.FOLLOW_UP,
            {S.RESOLVED},
            S.FOLLOWED_UP,
            {WORKER, MODERATOR},
            note_required=True,
            public_by_default=False,
            primary=True,
        ),
        _t(A.REOPEN, {S.RESOLVED, S.FOLLOWED_UP, S.CLOSED}, S.DISPATCHED, {MODERATOR}, _reopen, note_required=True),
        _t(A.CLOSE, {S.FOLLOWED_UP, S.RESOLVED, S.DECLINED, S.DUPLICATE}, S.CLOSED, {MODERATOR}, _close, primary=True),
    ],
    _record_transition,
    state_refused=_("工单当前状态为“%(state)s”，不能%(action)s。"),
)


def perform(report, action, actor=None, *, role=MODERATOR, note="", public=None, **data):
    """Apply `action` to `report` (locked for the duration); returns (report, event).

    `role` is MODERATOR, WORKER or GRID_WORKER, or a function of the locked case returning one
    (permissions.role_for), so who someone is on the case is judged as the case stands.

    `data` carries what some actions need: assignee (dispatch), grid (transfer), duplicate_of
    (mark_duplicate). `public` overrides whether the note is shown to the reporter. Refusals
    raise TransitionError with a Chinese message.
    """
    return MACHINE.perform(report, action, actor, role=role, note=note, public=public, **data)


def allowed_actions(report, role):
    """What `role` may do with the case now, the step that moves it on first."""
    return MACHINE.allowed(report, role)


# --- What happens without a change of state ------------------------------------------------------


def _locked(report):
    return GrievanceReport.objects.select_for_update().get(pk=report.pk)


def rate(report, rating, comment=""):
    """The reporter's one rating; 不满意 reopens the case (重办)."""
    with transaction.atomic():
        report = _locked(report)
        if report.rating:
            raise TransitionError(_("这张工单已经评价过了。"))
        if report.state not in RATEABLE_STATES:
            raise TransitionError(_("工单办结后才能评价。"))
        now = timezone.now()
        report.rating = rating
        report.rating_comment = comment
        report.rated_at = now
        report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        record(
            report,
            A.RATE,
            rating=rating,
            note=f"{report.get_rating_display()} {comment}".strip(),
            public=True,
            created_at=now,
        )
        if rating == GrievanceReport.Rating.UNSATISFIED and report.assignee_id:
            # Reopening clears the rating so the redone work is rated afresh; this one stays as an event.
            report, _event = perform(report, A.REOPEN, None, note=_("反映人评价不满意，自动转为重办。"))
    return report


def reveal_contact(report, actor):
    """Staff saw the reporter's full name and mobile: an internal event, so it can be audited."""
    with transaction.atomic():
        return record(_locked(report), A.REVEAL_CONTACT, actor=actor, note=_("查看了反映人完整联系方式。"))


def link_merchant(report, merchant, actor):
    """Staff say which shop the case is about, or that it is about none: an internal event.

    The shop must be of the case's community; None when nothing changed.
    """
    with transaction.atomic():
        locked = _locked(report)
        if merchant is not None and merchant.community_id != locked.community_id:
            raise TransitionError(_("请选择本社区的商户。"))
        if locked.merchant_id == (merchant.pk if merchant else None):
            return None
        previous = locked.merchant
        locked.merchant = merchant
        locked.save(update_fields=["merchant", "updated_at"])
        if merchant is not None:
            note = _("关联商户：%(shop)s") % {"shop": merchant.name}
        else:
            note = _("取消关联商户：%(shop)s") % {"shop": previous.name}
        return record(locked, A.LINK_MERCHANT, actor=actor, note=note)


def supervise(report_id, now=None):
    """Flag a late case as overdue once and tell its moderators (督办); None if it needs nothing.

    Re-checked under a row lock, so two overlapping runs of supervise_cases supervise a case once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        report = (
            GrievanceReport.objects.select_for_update(of=("self",))
            .select_related("community", "grid", "category")
            .due_for_supervision(now)
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            return None
        report.overdue, report.supervised_at = True, now
        report.save(update_fields=["overdue", "supervised_at", "updated_at"])
        event = record(report, A.SUPERVISE, note=_("已超过期限，系统已标记超期并通知社区督办。"), created_at=now)
        notify_overdue(report)  # an email task per moderator, enqueued on commit
    return event


def purge_contact(report, days, now=None):
    """Delete the reporter's contact details from a case archived `days` ago (个人信息最小化)."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _locked(report)
        if report.contact_purged_at:
            return None
        report.reporter_name = report.reporter_mobile = report.reporter_email = ""
        report.contact_purged_at = now
        report.save(
            update_fields=["reporter_name", "reporter_mobile", "reporter_email", "contact_purged_at", "updated_at"]
        )
        return record(
            report,
            A.PURGE_CONTACT,
            note=_("归档满 %(days)s 天，已按规定删除反映人联系方式。") % {"days": days},
            created_at=now,
        )
