"""Browser fixtures for end-to-end tests: Playwright's sync API driving Debian's Chromium.

Playwright's own browser download does not work here, so the system Chromium is used.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SHANGJU_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


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
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

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
