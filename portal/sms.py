"""Pluggable SMS sending: settings.SMS_BACKEND names a class with `send(mobile, text)`.

No SMS gateway is contracted yet, so the default writes a line to the log with the number
masked (nothing personal in logs); a gateway adapter only has to implement `send`.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .privacy import mask_mobile

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "portal.sms.LogSMSBackend"

# Messages "sent" by LocMemSMSBackend, like django.core.mail.outbox; tests only.
outbox = []


class BaseSMSBackend:
    def send(self, mobile, text):
        raise NotImplementedError


class LogSMSBackend(BaseSMSBackend):
    """Writes the message to the log instead of sending it; the number is masked."""

    def send(self, mobile, text):
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


class LocMemSMSBackend(BaseSMSBackend):
    """Keeps (mobile, text) pairs in `portal.sms.outbox` for tests to inspect."""

    def send(self, mobile, text):
        outbox.append((mobile, text))


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(mobile, text):
    get_backend().send(mobile, text)
