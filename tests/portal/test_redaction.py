"""Issue 10, item 21: secrets carried in URL paths never reach a log line (portal/redaction.py)."""

import io
import logging
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import get_resolver
from gunicorn.config import Config

from portal.redaction import REDACTED, RedactingGunicornLogger, RedactSecretsFilter, redact
from tests.authz.matrix import walk

SECRET = "Zx8_kQ2-secretvalue-43chars-long-abcdefghij"


@pytest.mark.parametrize(
    "line,kept",
    [
        (f"GET /track/link/{SECRET}/ HTTP/1.1", "GET /track/link/[redacted]/ HTTP/1.1"),
        (f"Not Found: /apply/status/{SECRET}/", "Not Found: /apply/status/[redacted]/"),
        (f"POST /apply/amend/{SECRET}/ 403", "POST /apply/amend/[redacted]/ 403"),
        (f"https://shangju.example/track/link/{SECRET}/?a=1", "https://shangju.example/track/link/[redacted]/?a=1"),
        (
            "GET /admin/password_reset/confirm/MQ/d4k2-0123456789abcdef/",
            "GET /admin/password_reset/confirm/MQ/[redacted]/",
        ),
        ("GET /track/SJ-20261122-0001/ 200", "GET /track/SJ-20261122-0001/ 200"),
    ],
)
def test_redact(line, kept):
    assert redact(line) == kept


def test_every_route_with_a_credential_in_its_path_is_redacted():
    credential = re.compile(r"<(?:\w+:)?(secret|token)>")
    routes = [route for route, _name in walk(get_resolver()) if credential.search(route)]
    assert len(routes) >= 4, routes  # track link, apply status and amend, password reset confirm
    for route in routes:
        path = "/" + re.sub(r"<[^>]+>", lambda m: SECRET if credential.fullmatch(m.group(0)) else "MQ", route)
        assert SECRET not in redact(f"GET {path} HTTP/1.1"), route


def test_every_handler_of_the_logging_settings_redacts():
    handlers = settings.LOGGING["handlers"]
    assert handlers and all(handler["filters"][0] == "redact_secrets" for handler in handlers.values())


@pytest.mark.django_db
def test_djangos_not_found_warning_carries_no_secret(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/track/link/{SECRET}/").status_code == 404
    assert "/track/link/[redacted]/" in caplog.text
    assert SECRET not in caplog.text


def test_a_filtered_record_keeps_its_other_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", f"/track/link/{SECRET}/"), None
    )
    assert RedactSecretsFilter().filter(record)
    assert record.getMessage() == f"Not Found: /track/link/{REDACTED}/"


def test_gunicorn_access_log_redacts_request_line_path_and_referer():
    config = Config()
    stream = io.StringIO()
    config.set("accesslog", "-")
    logger = RedactingGunicornLogger(config)
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/track/link/{SECRET}/",
        "PATH_INFO": f"/track/link/{SECRET}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://shangju.example/apply/status/{SECRET}/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/track/SJ-20261122-0001/")])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, SimpleNamespace(seconds=0, microseconds=1200))
    line = stream.getvalue()
    assert "/track/link/[redacted]/" in line and "/apply/status/[redacted]/" in line
    assert SECRET not in line
    # gunicorn's own error log goes through the same filter.
    assert any(isinstance(f, RedactSecretsFilter) for f in logger.error_log.filters)


def test_the_project_gunicorn_config_uses_the_redacting_logger():
    namespace = {}
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own config file
    assert namespace["logger_class"] == "portal.redaction.RedactingGunicornLogger"
