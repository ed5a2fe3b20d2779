"""Chromium loads the public site and the admin with the CSP on, and nothing is blocked.

A blocked script or style means a feature that silently stopped working, so any violation fails.
"""

import pytest
from django.contrib.auth import get_user_model

from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "正确的密码-2026"

# Violations as the page sees them (securitypolicyviolation events), in case the console wording changes.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("zhangwei", password=PASSWORD)


@pytest.fixture
def desktop(browser):  # noqa: F811 - the e2e tests' Chromium fixture, imported in conftest
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(message.text))
    yield page
    context.close()


def violations(page):
    """Violations on the current document: the console's reports and the page's own events."""
    from_console = [m for m in page.console_messages_seen if "Content Security Policy" in m]
    page.console_messages_seen.clear()
    return from_console + page.evaluate("window.__cspViolations || []")


def test_public_pages_and_admin_run_with_no_csp_violation(live_server, home, editor, desktop):
    page = desktop
    base = live_server.url

    page.goto(base + "/")
    assert page.locator(".skip-link").count() == 1
    assert violations(page) == [], "home page"

    page.goto(base + "/report/")
    assert page.get_by_text("第 1 步，共 6 步").is_visible()
    # The honeypot is placed by site.css now (its style attribute would be blocked): off screen.
    assert page.eval_on_selector(".honeypot", "el => el.getBoundingClientRect().right") < 0
    assert violations(page) == [], "report wizard"

    page.goto(base + "/admin/login/")
    assert violations(page) == [], "admin login"
    page.fill("input[name=username]", "zhangwei")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base + "/admin/")
    page.wait_for_load_state("networkidle")
    assert "控制面板" in page.title()
    assert violations(page) == [], "admin dashboard"

    # The page editor is where Wagtail's inline scripts live: the admin's own policy must allow them.
    page.goto(base + f"/admin/pages/{home.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_title").input_value() == home.title
    assert violations(page) == [], "page editor"


@pytest.fixture
def staff_with_addresses(db, home):
    """Staff who gave email addresses, as real staff do: Wagtail would fetch their avatars from gravatar."""
    users = get_user_model().objects
    admin = users.create_superuser(
        "chenlixin", email="chen@example.cn", password=PASSWORD, first_name="立新", last_name="陈"
    )
    community = f.community(name="东门社区", slug="dongmen-csp")
    grid = f.grid(community, name="第一网格")
    worker = f.grid_worker(grid, username="mazhigang", email="ma@example.cn", first_name="志刚", last_name="马")
    report = f.assigned_case(grid, worker, state="dispatched")
    return {"admin": admin, "case": report.pk, "home": home.pk, "user": worker.pk}


def test_admin_avatars_are_our_own_with_no_csp_violation(live_server, staff_with_addresses, desktop):
    page = desktop
    base = live_server.url
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "chenlixin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base + "/admin/")
    pages = {
        "dashboard": "/admin/",
        "page editor": f"/admin/pages/{staff_with_addresses['home']}/edit/",
        "users": "/admin/users/",
        "a user": f"/admin/users/{staff_with_addresses['user']}/",
        "account": "/admin/account/",
        "cases": "/admin/cases/",
        "a case": f"/admin/cases/{staff_with_addresses['case']}/",
    }
    avatars_seen = 0
    for name, path in pages.items():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], name
        avatars = page.eval_on_selector_all(
            ".avatar img, img.avatar", "images => images.map(i => [i.src, i.complete && i.naturalWidth === 0])"
        )
        avatars_seen += len(avatars)
        for src, broken in avatars:
            assert "gravatar" not in src and src.startswith(base), (name, src)
            assert not broken, (name, src)
    assert avatars_seen >= len(pages)  # the dashboard, the user lists and the account show them
