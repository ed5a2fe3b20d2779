"""Fixtures every part of the suite shares, and the markers `make test-fast` leaves out.

Fixtures of one app's tests live in that folder's conftest.py; helpers that tests import (not
fixtures) live in modules of their own (factories/, wizard_driver.py, browser.py, budget.py).
"""

import itertools
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished
from wagtail.models import Site

from portal import siteaddress, sms
from tests import factories as f
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE

HERE = Path(__file__).parent
# Folders whose tests start servers, clusters or killed processes: `make test-fast` leaves them out.
FAULT_FOLDERS = ("faults",)
_users = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(item.fspath).relative_to(HERE).parts
        if parts[0] in FAULT_FOLDERS:
            item.add_marker(pytest.mark.faults)
        _require_serialized_rollback(item)


def _require_serialized_rollback(item):
    """A transactional test without serialized_rollback flushes the database and re-creates content
    types under new ids; the next serialized test on the same worker then fails to restore its
    snapshot (UNIQUE django_content_type). Refuse such a test at collection, whatever the order."""
    mark = item.get_closest_marker("django_db")
    if mark and mark.kwargs.get("transaction") and not mark.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(
            f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True in this suite"
        )


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home(db):
    return f.home_page()


@pytest.fixture
def real_site(home):
    """The default Site at a real-looking address, as a deployment has it (portal/siteaddress.py)."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "shangju.example.cn", 443
    site.save()
    return site


@pytest.fixture
def live_site(live_server):
    """The default Site at the live server's address, as `make run` sets it: the absolute links the
    pages hand out (private links, QR codes) must lead back to it. Request it before the browser."""
    siteaddress.move_site(live_server.url)
    return live_server


@pytest.fixture
def world(db):
    """The standard world of casework and intake tests: two communities, three grids, their staff.

    东门社区 has 第一网格 (worker_a) and 第二网格 (worker_b) and is moderated by mod_x; 西门社区 has
    西一网格 and is moderated by mod_y. Folders with a world of another shape define their own.
    """
    x, y = f.community(name="东门社区", slug="dongmen"), f.community(name="西门社区", slug="ximen")
    grid_a, grid_b, grid_y = f.grid(x, name="第一网格"), f.grid(x, name="第二网格"), f.grid(y, name="西一网格")
    return {
        "x": x,
        "y": y,
        "grid_a": grid_a,
        "grid_b": grid_b,
        "grid_y": grid_y,
        "worker_a": f.grid_worker(grid_a),
        "worker_b": f.grid_worker(grid_b),
        "mod_x": f.community_moderator(x),
        "mod_y": f.community_moderator(y),
    }


@pytest.fixture
def notified_staff(db):
    """A community whose staff have every kind of address: who hears of what is told by who gets mail."""
    users = get_user_model().objects
    community = f.community(name="东门社区")
    grid = f.grid(community, name="第一网格")
    n = next(_users)
    moderator = users.create_user(f"mod{n}", email="moderator@example.org")
    worker = users.create_user(f"worker{n}", email="worker@example.org")
    both = users.create_user(f"both{n}", email="both@example.org")
    no_email = users.create_user(f"noemail{n}", email="")
    retired = users.create_user(f"retired{n}", email="retired@example.org", is_active=False)
    outsider = users.create_user(f"outsider{n}", email="outsider@example.org")
    community.moderators.add(moderator, both, no_email, retired)
    grid.workers.add(worker, both)
    f.grid(f.community(), name="别的网格").workers.add(outsider)
    return {"community": community, "grid": grid, "worker": worker}


@pytest.fixture
def sms_outbox():
    """What the test SMS backend 'sent', emptied before and after the test."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def tasks_must_succeed():
    """The immediate task backend records a task's exception instead of raising it; surface it here."""
    failed = []

    def check(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(task_result.errors[-1].traceback)

    task_finished.connect(check)
    yield
    task_finished.disconnect(check)
    assert not failed, failed


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture
def browser():
    """A headless Chromium for one test.

    Per test, not per session: while Playwright's sync API is running, its event loop
    sits in this thread and Django hands out a different database connection (asgiref
    locals follow the loop's context). Starting it after the database is set up and
    stopping it before the flush keeps pytest-django's setup and serialized rollback on
    the connection they expect. Request data fixtures before the page fixtures so the
    ORM never runs under the loop.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package (make browser)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests pay for the import

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (390×844) with JavaScript on."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_js(browser):
    """A phone-sized page with JavaScript off: everything must still work."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
