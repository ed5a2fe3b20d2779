"""Notifications of intake: emails to staff, reporters and applicants, SMS through forms.sms.

Helpers (`notify_*`) are called by the code that changes data, inside its transaction;
each enqueues a django-tasks task on commit, so a rolled-back change sends nothing and no
request waits on a mail server. Tasks take ids, not objects, and load fresh rows: by the
time a worker runs one, the case may have moved on or its contact details been purged.

Staff emails carry what the role needs to find the case (reference, category, community,
grid, due dates, admin link), never the reporter's name, mobile or description.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_tasks import task

from .models import CaseEvent, GrievanceReport
from .sms import send_sms

logger = logging.getLogger(__name__)

ADMIN_CASE_URL_NAME = "intake_cases:detail"
APPLICATION_ADMIN_URL_NAME = "intake_application_detail"


# --- helpers called by the rest of the code ---------------------------------------------


def _enqueue_on_commit(enqueue):
    # robust: a queue that cannot take the task is logged, and never turns a saved case into an error page.
    transaction.on_commit(enqueue, robust=True)


def notify_new_case(report):
    """Email the community's moderators and the grid's workers about a new case."""
    report_id = report.pk
    _enqueue_on_commit(lambda: send_new_case_emails.enqueue(report_id))


def notify_case_update(event):
    """Tell the reporter about a public event by email and SMS, where they left those."""
    if not event.public:
        return
    report = event.report
    if report.anonymous or not (report.reporter_email or report.reporter_mobile):
        return
    event_id = event.pk
    _enqueue_on_commit(lambda: send_case_update.enqueue(event_id))


def notify_overdue(report):
    """Email the community's moderators that a case passed a deadline (for the supervision command)."""
    report_id = report.pk
    _enqueue_on_commit(lambda: send_overdue_emails.enqueue(report_id))


def notify_new_application(application):
    """Email the community's moderators about a new (or amended and resubmitted) merchant application."""
    application_id = application.pk
    _enqueue_on_commit(lambda: send_new_application_emails.enqueue(application_id))


def notify_application_update(application):
    """Tell the applicant the review's outcome (approved, more information needed, rejected)."""
    if not (application.email or application.mobile):
        return
    application_id = application.pk
    _enqueue_on_commit(lambda: send_application_update.enqueue(application_id))


# --- tasks --------------------------------------------------------------------------------


@task()
def send_new_case_emails(report_id):
    report = _load_report(report_id)
    if report is None:
        return 0
    recipients = _staff_emails(report, workers=True)
    return _send_staff("new_case", report, recipients, _admin_url(ADMIN_CASE_URL_NAME, report))


@task()
def send_overdue_emails(report_id):
    report = _load_report(report_id)
    if report is None:
        return 0
    return _send_staff("overdue", report, _staff_emails(report, workers=False), _admin_url(ADMIN_CASE_URL_NAME, report))


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
        "action": _action_label(event.action),
        "state": report.get_state_display(),
        "track_url": _absolute(reverse("track")),
        "site_name": settings.SITE_NAME,
    }
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if report.reporter_email:
            subject, body = _render("case_update", context)
            send_mail(subject, body, None, [report.reporter_email])
            sent += 1
        if report.reporter_mobile:
            send_sms(report.reporter_mobile, render_to_string("forms/emails/case_update_sms.txt", context).strip())
            sent += 1
    return sent


@task()
def send_new_application_emails(application_id):
    application = _load_application(application_id)
    if application is None:
        return 0
    recipients = _staff_emails(application, workers=False)
    url = _admin_url(APPLICATION_ADMIN_URL_NAME, application)
    return _send_staff("new_application", application, recipients, url)


@task()
def send_application_update(application_id):
    application = _load_application(application_id)
    if application is None or application.state == application.State.SUBMITTED:
        # Back in review (resubmitted) before the worker ran: there is no outcome to tell.
        return 0
    context = {
        "application": application,
        "state": application.get_state_display(),
        "site_name": settings.SITE_NAME,
    }
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if application.email:
            subject, body = _render("application_update", context)
            send_mail(subject, body, None, [application.email])
            sent += 1
        if application.mobile:
            send_sms(application.mobile, render_to_string("forms/emails/application_update_sms.txt", context).strip())
            sent += 1
    return sent


# --- internals ----------------------------------------------------------------------------


def _load_report(report_id):
    return GrievanceReport.objects.select_related("category", "community", "grid").filter(pk=report_id).first()


def _load_application(application_id):
    from .models import MerchantApplication

    return MerchantApplication.objects.select_related("community", "grid").filter(pk=application_id).first()


def _staff_emails(item, *, workers):
    """Active staff with an address: the community's moderators, and the grid's workers if asked."""
    users = list(item.community.moderators.filter(is_active=True).exclude(email=""))
    if workers:
        users += list(item.grid.workers.filter(is_active=True).exclude(email=""))
    # One email per person even if they are both moderator and worker.
    return list(dict.fromkeys(user.email for user in users))


def _send_staff(kind, item, recipients, admin_url):
    if not recipients:
        return 0
    context = {"report": item, "application": item, "admin_url": admin_url, "site_name": settings.SITE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _render(kind, context)
    sender = getattr(settings, "STAFF_NOTIFICATION_FROM_EMAIL", None) or settings.DEFAULT_FROM_EMAIL
    # A message per person: staff of one community do not need each other's addresses.
    messages = [EmailMessage(subject, body, sender, [address]) for address in recipients]
    return get_connection().send_messages(messages) or 0


def _render(kind, context):
    subject = render_to_string(f"forms/emails/{kind}_subject.txt", context)
    body = render_to_string(f"forms/emails/{kind}.txt", context)
    # Header injection and wrapped lines: a subject is one line.
    return " ".join(subject.split()), body


def _action_label(action):
    # Imported here: casework imports this module to notify, so a top-level import would be circular.
    from .casework import TRANSITIONS

    transition = TRANSITIONS.get(action)
    if transition:
        return str(transition.label)
    return ""


def _admin_url(url_name, item):
    try:
        path = reverse(url_name, args=[item.pk])
    except NoReverseMatch:
        # That admin view is not wired in (yet): point at the admin home.
        path = reverse("wagtailadmin_home")
    return _absolute(path)


def _absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
