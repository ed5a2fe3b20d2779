"""The case inbox on a grid worker's phone (390 px): nothing cut off, nothing scrolled sideways,
the address readable as a line of text, not a column of single characters.

Screenshots for a person to look at after a run: shangju-inbox-phone*.png in the temp folder.
Everything the browser needs is built before it starts: no ORM calls in the test bodies.
"""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery"
SCREENSHOTS = Path(tempfile.gettempdir())
# At least this many characters of the page's text on each line of the address.
MIN_ADDRESS_CHARACTERS = 8


@pytest.fixture
def inbox_world(db):
    """东门社区's moderator and a worker, with cases of long addresses, one of them overdue."""
    dongmen = f.community(name="东门社区", slug="dongmen")
    first = f.grid(dongmen, name="第一网格")
    moderator = f.community_moderator(dongmen, username="shuji", password=PASSWORD)
    worker = f.grid_worker(first, username="wanggang", password=PASSWORD, first_name="王刚")
    addresses = [
        "幸福里小区 3 号楼 2 单元门口的烧烤摊",
        "解放路东段 118 号至 126 号门前人行道",
        "东门菜市场北门旁边的排水沟",
    ]
    for n, address in enumerate(addresses):
        f.case(first, reference=f"SJ-20261202-000{n + 1}", address=address, state="dispatched", assignee=worker)
    f.case(
        first,
        reference="SJ-20261201-0009",
        address="幸福里 5 号楼楼下饭店后厨排烟口",
        accept_due=timezone.now() - datetime.timedelta(hours=5),
    )
    return {"moderator": moderator.username, "worker": worker.username}


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def layout(page):
    """What the phone shows of the inbox: page and table overflow, and each address cell's size."""
    return page.evaluate(
        """() => {
            const table = document.querySelector("#listing-results table");
            // The address column by its heading, so this reads any layout of the table.
            const column = [...table.querySelectorAll("thead th")].findIndex((th) => th.textContent.includes("地点"));
            const cells = [...table.querySelectorAll("tbody tr")].map((tr) => tr.children[column]);
            const size = parseFloat(getComputedStyle(cells[0]).fontSize);
            return {
                viewport: window.innerWidth,
                pageWidth: document.documentElement.scrollWidth,
                tableRight: table.getBoundingClientRect().right,
                tableOverflow: table.scrollWidth - table.clientWidth,
                cellsOutside: [...table.querySelectorAll("td")].filter(
                    (td) => td.offsetParent && td.getBoundingClientRect().right > window.innerWidth + 1
                ).length,
                fontSize: size,
                addressWidths: cells.map((td) => td.getBoundingClientRect().width),
            };
        }"""
    )


@pytest.mark.parametrize("role", ["worker", "moderator"])
def test_case_inbox_fits_a_phone(live_server, inbox_world, phone, role):
    sign_in(phone, live_server, inbox_world[role])
    phone.goto(live_server.url + "/admin/cases/")
    expect(phone.locator("#listing-results")).to_contain_text("SJ-20261202-0001")
    phone.screenshot(path=SCREENSHOTS / f"shangju-inbox-phone-{role}.png", full_page=True)

    seen = layout(phone)
    assert seen["pageWidth"] <= seen["viewport"], seen
    assert seen["tableRight"] <= seen["viewport"] + 1, seen
    assert seen["tableOverflow"] <= 1 and seen["cellsOutside"] == 0, seen
    narrowest = min(seen["addressWidths"])
    assert narrowest >= MIN_ADDRESS_CHARACTERS * seen["fontSize"], seen

    # Every case is still there with its reference as the link to it, its labels and its deadline.
    card = phone.locator("#listing-results tbody tr", has_text="SJ-20261201-0009")
    expect(card.locator('td[data-label="地点"]')).to_contain_text("幸福里 5 号楼楼下饭店后厨排烟口")
    expect(card.locator('td[data-label="受理期限"] .deadline--overdue')).to_contain_text("已超期")
    card.scroll_into_view_if_needed()
    card.screenshot(path=SCREENSHOTS / f"shangju-inbox-phone-{role}-overdue-card.png")
    phone.get_by_role("link", name="SJ-20261202-0002").click()
    phone.wait_for_url(re.compile(r"/admin/cases/\d+/$"))
    expect(phone.locator("#case-facts")).to_be_visible()


def test_case_inbox_stays_a_table_on_a_desk(live_server, inbox_world, browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server, inbox_world["moderator"])
        page.goto(live_server.url + "/admin/cases/")
        expect(page.locator("#listing-results")).to_contain_text("SJ-20261202-0001")
        page.screenshot(path=SCREENSHOTS / "shangju-inbox-desktop.png", full_page=True)
        table = page.locator("#listing-results table")
        assert table.evaluate("(t) => getComputedStyle(t).display") == "table"
        expect(table.locator("thead th", has_text="地点")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()
