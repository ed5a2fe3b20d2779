"""Notifications of casework: emails to staff and reporters, SMS through portal.sms.

Helpers (`notify_*`) are called by the code that changes a case, inside its transaction; each
enqueues a django-tasks task on commit (portal/notifications.py), so a rolled-back change sends
nothing and no request waits on a mail server. Tasks take ids, not objects, and load fresh rows:
by the time a worker runs one, the case may have moved on or its contact details been purged.

Staff emails carry what the role needs to find the case (reference, category, community, grid,
due dates, admin link), never the reporter's name, mobile or description.
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

from .models import CaseEvent, GrievanceReport

ADMIN_CASE_URL_NAME = "casework:detail"


# --- helpers called by the code that changes a case ------------------------------------------


def notify_new_case(report):
    """Email the community's moderators and the grid's workers about a new case."""
    enqueue_on_commit(send_new_case_emails, report.pk)


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


def notify_overdue(report):
    """Email the community's moderators that a case passed a deadline (for the supervision command)."""
    enqueue_on_commit(send_overdue_emails, report.pk)


# --- tasks -----------------------------------------------------------------------------------


@task()
def send_new_case_emails(report_id):
    report = _load_report(report_id)
    if report is None:
        return 0
    addresses = report.community.moderator_addresses() + report.grid.worker_addresses()
    return _send_staff("new_case", report, addresses)


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
        "site_name": settings.SITE_NAME,
    }
    params = {"reference": report.reference, "state": context["state"]}
    return tell_person(report.reporter_email, report.reporter_mobile, "casework/emails/case_update", context, params)


def _load_report(report_id):
    return GrievanceReport.objects.select_related("category", "community", "grid").filter(pk=report_id).first()


def _send_staff(kind, report, addresses):
    context = {
        "report": report,
        "admin_url": admin_url(ADMIN_CASE_URL_NAME, report.pk),
        "site_name": settings.SITE_NAME,
    }
    subject, body = render_message(f"casework/emails/{kind}", context)
    return send_to_each(subject, body, addresses, sender=staff_sender())
