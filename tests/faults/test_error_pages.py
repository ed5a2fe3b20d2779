"""The error view and the fault switch in-process: which errors count as an outage, what the
503 page says, and that no shipped settings module can arm a kill point."""

import json
import os
import subprocess
import sys

import pytest
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from portal import faults
from portal.views import is_database_outage, server_error_or_unavailable

from .harness import REPO


def respond_to(error, rf):
    try:
        raise error
    except Exception:
        # Django calls handler500 inside its except block, so the view sees the error in flight.
        return server_error_or_unavailable(rf.get("/report/"))


@pytest.mark.parametrize(
    "error",
    [OperationalError("connection refused"), InterfaceError("connection already closed"), DatabaseError("lost")],
)
def test_database_outage_renders_friendly_503_without_touching_the_database(error, rf):
    # No django_db mark: any query while rendering would fail this test with "Database access not allowed".
    response = respond_to(error, rf)
    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    assert "服务暂时不可用" in text and "请 1 分钟后再试" in text
    assert "已填写的内容会保留" in text


def test_outage_behind_another_exception_is_still_an_outage(rf):
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as inner:
            raise RuntimeError("while loading the page") from inner
    except RuntimeError:
        response = server_error_or_unavailable(rf.get("/"))
    assert response.status_code == 503


@pytest.mark.parametrize("error", [IntegrityError("duplicate key"), ProgrammingError("no such column"), KeyError("x")])
def test_bugs_keep_the_ordinary_500(error, rf):
    response = respond_to(error, rf)
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()
    assert not response.has_header("Retry-After")


def test_no_error_in_flight_is_a_500(rf):
    assert is_database_outage(None) is False
    assert server_error_or_unavailable(rf.get("/")).status_code == 500


def test_checkpoint_does_nothing_while_the_setting_is_off(settings, monkeypatch):
    settings.INTAKE_FAULT_INJECTION = False
    for point in faults.POINTS:
        monkeypatch.setenv(faults.ENV, point)
        faults.checkpoint(point)  # would end this very test process if it fired


@pytest.mark.parametrize("module", ["portal.settings.production", "portal.settings.dev", "portal.settings.base"])
def test_shipped_settings_never_enable_fault_injection(module):
    # Even with the kill variable and a look-alike setting in the environment.
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.org",
        faults.ENV: "before_insert",
        "INTAKE_FAULT_INJECTION": "1",
    }
    code = (
        f"import json, importlib; m = importlib.import_module({module!r}); print(json.dumps(m.INTAKE_FAULT_INJECTION))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
