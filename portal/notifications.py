"""What every app's notifications share: enqueued on commit, rendered from two templates, one mail per person.

Apps keep their own tasks and templates (casework/notifications.py, forms/apply/notifications.py);
these helpers make them behave alike: a rolled-back change sends nothing, no request waits on a
mail server, subjects are one line, and staff of one community never see each other's addresses.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from . import siteaddress
from .sms import send_sms


def enqueue_on_commit(task, *args):
    """Enqueue task(*args) once the current transaction commits.

    robust: a queue that cannot take the task is logged, and never turns a saved change into an error page.
    """
    transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def render_message(template, context):
    """(subject, body) from `<template>_subject.txt` and `<template>.txt`, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    # Header injection and wrapped lines: a subject is one line.
    return " ".join(subject.split()), body


def render_text(template, context):
    """A one-part message such as an SMS, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context).strip()


def staff_sender():
    """Staff mails may come from a monitored office address (STAFF_NOTIFICATION_FROM_EMAIL)."""
    return getattr(settings, "STAFF_NOTIFICATION_FROM_EMAIL", None) or settings.DEFAULT_FROM_EMAIL


def send_to_each(subject, body, addresses, sender=None):
    """One email per address (DEFAULT_FROM_EMAIL unless `sender`); returns how many were sent."""
    addresses = list(dict.fromkeys(addresses))  # once per person, even if listed twice
    if not addresses:
        return 0
    messages = [EmailMessage(subject, body, sender, [address]) for address in addresses]
    return get_connection().send_messages(messages) or 0


def tell_person(email, mobile, template, context, sms_params):
    """Email and text one person (a reporter, an applicant) at whichever addresses they left.

    The email from `<template>_subject.txt` and `<template>.txt`; the SMS text from
    `<template>_sms.txt`, and for a gateway the kind (the template's last name) and `sms_params`.
    Returns how many messages went.
    """
    sent = 0
    if email:
        subject, body = render_message(template, context)
        sent += send_to_each(subject, body, [email])
    if mobile:
        kind = template.rsplit("/", 1)[-1]
        send_sms(mobile, render_text(f"{template}_sms.txt", context), kind=kind, params=sms_params)
        sent += 1
    return sent


def absolute_url(path):
    """A public page's address for a message: on the site's address (portal/siteaddress.py)."""
    return siteaddress.absolute(path)


def admin_url(url_name, *args):
    """The absolute admin URL of a view, or the admin home when that view is not wired in.

    On WAGTAILADMIN_BASE_URL (the admin's address, as Wagtail's own mails use it), else the site's
    address (portal/siteaddress.py): never a guessed host or port.
    """
    try:
        path = reverse(url_name, args=args)
    except NoReverseMatch:
        path = reverse("wagtailadmin_home")
    return (settings.WAGTAILADMIN_BASE_URL or siteaddress.root_url()).rstrip("/") + path
