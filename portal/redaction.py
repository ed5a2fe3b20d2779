"""Secrets that travel in URLs, kept out of every log line.

A private link (/track/link/<secret>/, /apply/status/<secret>/, /apply/amend/<secret>/) and a
password-reset link (/admin/password_reset/confirm/<uid>/<token>/) carry their credential in the
path. The views turn it into a session proof and redirect at once (forms/proofs.py), but the first
request is still a line in the access log, in Django's "Not Found" / CSRF warnings and in a
Referer header. `redact` blanks the credential wherever such a path appears:

- `RedactSecretsFilter` on every handler of settings.LOGGING (Django's request and server logs);
- `RedactingGunicornLogger`, gunicorn's logger_class (gunicorn.conf.py), for the access log's
  request line, path, referer and headers, and for gunicorn's own error log.

tests/portal/test_redaction.py walks the URLconf: a new route with a <secret> or <token> in its
path fails there until it is listed here.
"""

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_SEGMENT = r"[^/?#\s\"'<>]+"
SECRET_IN_PATH = re.compile(
    rf"(/(?:track/link|apply/status|apply/amend)/){_SEGMENT}"
    rf"|(/password_reset/confirm/{_SEGMENT}/){_SEGMENT}"
)


def redact(text):
    """`text` with the credential of every secret-bearing path replaced by [redacted]."""
    if not isinstance(text, str) or "/" not in text:
        return text
    return SECRET_IN_PATH.sub(lambda match: (match.group(1) or match.group(2)) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter: the record's message, formatted, with secrets in paths redacted."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's to report, not ours to drop
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingGunicornLogger(Logger):
    """gunicorn's logger with the secrets of request paths, referers and headers redacted."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecretsFilter) for f in log.filters):
                log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
