"""Notifications of merchant applications: the office hears of new (and resubmitted) applications,
the applicant hears the outcome by email and SMS. Enqueued on commit (portal/notifications.py);
tasks take ids and load fresh rows."""

from django.conf import settings
from django_tasks import task

from portal.notifications import admin_url, enqueue_on_commit, render_message, send_to_each, staff_sender, tell_person

from ..models import MerchantApplication

ADMIN_URL_NAME = "applications:detail"


def notify_new_application(application):
    """Email the community's moderators about a new (or amended and resubmitted) merchant application."""
    enqueue_on_commit(send_new_application_emails, application.pk)


def notify_application_update(application):
    """Tell the applicant the review's outcome (approved, more information needed, rejected)."""
    if application.email or application.mobile:
        enqueue_on_commit(send_application_update, application.pk)


def _load(application_id):
    return MerchantApplication.objects.select_related("community", "grid").filter(pk=application_id).first()


@task()
def send_new_application_emails(application_id):
    application = _load(application_id)
    if application is None:
        return 0
    context = {
        "application": application,
        "admin_url": admin_url(ADMIN_URL_NAME, application.pk),
        "site_name": settings.SITE_NAME,
    }
    subject, body = render_message("forms/apply/emails/new_application", context)
    return send_to_each(subject, body, application.community.moderator_addresses(), sender=staff_sender())


@task()
def send_application_update(application_id):
    application = _load(application_id)
    if application is None or application.state == application.State.SUBMITTED:
        # Back in review (resubmitted) before the worker ran: there is no outcome to tell.
        return 0
    context = {"application": application, "state": application.get_state_display(), "site_name": settings.SITE_NAME}
    params = {"reference": application.reference, "state": context["state"]}
    template = "forms/apply/emails/application_update"
    return tell_person(application.email, application.mobile, template, context, params)
