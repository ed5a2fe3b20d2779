"""Notifications of casework: emails to staff and reporters, SMS through portal.sms.

Helpers (`notify_*`) are called by the code that changes a case, inside its transaction; each
enqueues a django-tasks task on commit (portal/notifications.py), so a rolled-back change sends
nothing and no request waits on a mail server. Tasks take ids, not objects, and load fresh rows:
by the time a worker runs one, the case may have moved on or its contact details been purged.

Staff emails carry what the role needs to find the case (reference, category, community, grid,
due dates, admin link), never the reporter's name, mobile or description. Each asks its reader
only for what the transition table (transitions.py) lets them do: the community's moderators to
accept (受理) and dispatch a new case, the grid's workers to expect it, the worker it is dispatched
(or reopened) to to start work on it; on 转办 the new grid's workers to expect it and its
community's moderators to dispatch it there, on 退单 the community's moderators to dispatch it
again or transfer it. Whoever took the action is not mailed about it.
"""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from portal.notifications import (
    absolute_url,
    admin_url,
    enqueue_on_commit,
    render_message,
    send_to_each,
    staff_sender,
    tell_person,
)
from portal.people import display_name

from .models import RATEABLE_STATES, CaseEvent, GrievanceReport

ADMIN_CASE_URL_NAME = "casework:detail"


# --- helpers called by the code that changes a case ------------------------------------------


def notify_new_case(report):
    """Email the community's moderators (to accept it) and the grid's workers (to expect it)."""
    enqueue_on_commit(send_new_case_emails, report.pk)


def notify_assigned(event):
    """Email the worker a case was just dispatched or reopened to: it is theirs to start."""
    if event.report.assignee_id:
        enqueue_on_commit(send_assignment_email, event.pk)


def notify_case_update(event):
    """Tell the reporter about a public event by email and SMS, where they left those.

    Not about their own rating: they know, having just given it.
    """
    if not event.public or event.action == CaseEvent.Action.RATE:
        return
    report = event.report
    if report.anonymous or not (report.reporter_email or report.reporter_mobile):
        return
    enqueue_on_commit(send_case_update, event.pk)


def notify_transferred(event):
    """Email the new grid's workers (to expect it) and its community's moderators (to dispatch it)."""
    enqueue_on_commit(send_transfer_emails, event.pk)


def notify_returned(event):
    """Email the community's moderators that the worker returned (退单) the case: it needs them again."""
    enqueue_on_commit(send_return_emails, event.pk)


def notify_overdue(report):
    """Email the community's moderators that a case passed a deadline (for the supervision command)."""
    enqueue_on_commit(send_overdue_emails, report.pk)


# --- tasks -----------------------------------------------------------------------------------


@task()
def send_new_case_emails(report_id):
    report = _load_report(report_id)
    if report is None:
        return 0
    moderators = report.community.moderator_addresses()
    # Someone who both moderates and works the grid gets the moderator's mail, once.
    workers = [address for address in report.grid.worker_addresses() if address not in moderators]
    return _send_staff("new_case", report, moderators) + _send_staff("new_case_for_grid", report, workers)


@task()
def send_assignment_email(event_id):
    event = CaseEvent.objects.select_related("report").filter(pk=event_id).first()
    report = _load_report(event.report_id) if event else None
    if report is None or report.assignee is None or not report.assignee.is_active or not report.assignee.email:
        return 0
    # Sent only while the case still waits for its assignee to start (not if moved on meanwhile).
    if report.state != GrievanceReport.State.DISPATCHED:
        return 0
    extra = {"reopened": event.action == CaseEvent.Action.REOPEN, "assignee_name": display_name(report.assignee)}
    return _send_staff("case_assigned", report, [report.assignee.email], **extra)


def _event_and_report(event_id, state):
    """The event and its case, fresh, while the case is still in `state` (else nothing to ask for)."""
    event = CaseEvent.objects.select_related("actor").filter(pk=event_id).first()
    report = _load_report(event.report_id) if event else None
    if report is None or report.state != state:
        return None, None
    return event, report


def _others(addresses, event):
    actor_email = event.actor.email if event.actor_id else ""
    return [address for address in addresses if address != actor_email]


@task()
def send_transfer_emails(event_id):
    event, report = _event_and_report(event_id, GrievanceReport.State.ACCEPTED)
    if report is None:
        return 0
    moderators = _others(report.community.moderator_addresses(), event)
    workers = [a for a in _others(report.grid.worker_addresses(), event) if a not in moderators]
    by = {"actor_name": display_name(event.actor)}
    return _send_staff("transferred", report, moderators, **by) + _send_staff(
        "transferred_for_grid", report, workers, **by
    )


@task()
def send_return_emails(event_id):
    event, report = _event_and_report(event_id, GrievanceReport.State.RETURNED)
    if report is None:
        return 0
    moderators = _others(report.community.moderator_addresses(), event)
    return _send_staff("returned", report, moderators, actor_name=display_name(event.actor))


@task()
def send_overdue_emails(report_id):
    report = _load_report(report_id)
    if report is None:
        return 0
    return _send_staff("overdue", report, report.community.moderator_addresses())


@task()
def send_case_update(event_id):
    event = CaseEvent.objects.select_related("report", "report__category").filter(pk=event_id, public=True).first()
    if event is None:
        return 0
    report = event.report
    if report.anonymous or report.contact_purged_at:
        return 0
    context = {
        "report": report,
        "event": event,
        "action": event.get_action_display(),
        "state": report.get_state_display(),
        "track_url": absolute_url(reverse("track")),
        # Only a resolved case can be rated: the mail invites a rating then, and not before.
        "rateable": report.state in RATEABLE_STATES and not report.rating,
        "site_name": settings.SITE_NAME,
    }
    params = {"reference": report.reference, "state": context["state"]}
    return tell_person(report.reporter_email, report.reporter_mobile, "casework/emails/case_update", context, params)


def _load_report(report_id):
    return (
        GrievanceReport.objects.select_related("category", "community", "grid", "assignee").filter(pk=report_id).first()
    )


def _send_staff(kind, report, addresses, **extra):
    if not addresses:
        return 0
    context = {
        "report": report,
        "assignee_name": display_name(report.assignee),
        "admin_url": admin_url(ADMIN_CASE_URL_NAME, report.pk),
        "site_name": settings.SITE_NAME,
        **extra,
    }
    subject, body = render_message(f"casework/emails/{kind}", context)
    return send_to_each(subject, body, addresses, sender=staff_sender())
