"""Every public page and the main admin pages with large text, on a 390 px phone and a 1280 px desk.

"Large text" is what an elderly resident sets up: Chromium's own default text size raised to
24 px (150%, the browser's text setting, which our rem-based sizes follow) and, on the public
site, our 大字模式 switch on top. Nothing may scroll sideways, the office's name must stay a line
of words (not a column of single characters), a label beside its value must keep its words and a
phone number must stay on one line.

Screenshots for a person to look at after a run: shangju-large-*.png in the temp folder.
Everything the browser needs is built before it starts: no ORM calls in the test bodies.
"""

import json
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE
from tests.factories.site import every_public_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery"
MOBILE = "13812345678"
SHOTS = Path(tempfile.gettempdir())
# Chromium's settings → Appearance → Font size, as a person with poor sight sets it (16 px is the default).
LARGE_TEXT_PREFERENCES = {
    "webkit": {"webprefs": {"default_font_size": 24, "default_fixed_font_size": 20, "minimum_font_size": 18}}
}
DEVICES = {"phone": PHONE, "desktop": DESKTOP}

# The page's width against the device's (a phone's layout viewport grows with what overflows it),
# the office name's box, and the narrowest label of a label-beside-value list, in characters.
LAYOUT = """(width) => {
    const size = (el) => parseFloat(getComputedStyle(el).fontSize);
    const brand = document.querySelector(".brand-name");
    const labels = [...document.querySelectorAll("dl.facts dt, dl.contact dt")].filter((dt) => dt.offsetParent);
    const wide = [...document.querySelectorAll("body *")].filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width && box.right > width + 1 && getComputedStyle(el).position !== "fixed";
    });
    const phones = [...document.querySelectorAll('a[href^="tel:"]')].filter((a) => a.offsetParent);
    return {
        pageWidth: document.documentElement.scrollWidth,
        // A phone number split over two lines (0931- / 84615180) is misread and misdialled.
        // Lines of the number's own text (the link may be an inline-flex box that wraps inside).
        phoneNumberLines: Math.max(0, ...phones.map((a) => {
            const range = document.createRange();
            range.selectNodeContents(a);
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        })),
        tooWide: wide.slice(-3).map((el) => el.tagName + "." + el.className),
        brandCharacters: brand ? brand.getBoundingClientRect().width / size(brand) : null,
        narrowestLabel: Math.min(...labels.map((dt) => {
            const range = document.createRange();
            range.selectNodeContents(dt);
            // Characters on the label's widest line: its width over the text size.
            return Math.max(...[...range.getClientRects()].map((r) => r.width)) / size(dt);
        }).filter((n) => n > 0), 99),
    };
}"""


@pytest.fixture
def site(db):
    pages = every_public_page()
    f.office_settings(office_name="和平街道商居联盟办公室", hotline="0931-12345678", address="解放路 1 号")
    dongmen = f.community(name="幸福里社区", slug="xingfuli")
    first = f.grid(dongmen, name="第一网格")
    f.grid_area(first, name="幸福里小区 1 号楼")
    # A title with a long Latin word and number, as a pasted English name or address makes one.
    long_word = f.news(title="走访XingfuliVolunteerDay20261205：幸福里社区为独居老人送温暖", community=dongmen)
    f.case(first, reference="SJ-20261205-0009", reporter_mobile=MOBILE, address="幸福里小区 1 号楼下烧烤店")
    worker = f.grid_worker(first, username="wanggang", password=PASSWORD, first_name="志刚", last_name="马")
    moderator = f.community_moderator(dongmen, username="shuji", password=PASSWORD, first_name="建华", last_name="周")
    f.application(grid_=first, shop_name="惠民鲜果超市")
    pages.update({"long word news": long_word.url, "points publicity": "/points/", "my sign-in": "/my/"})
    pages.pop("not found")  # DEBUG is off in tests, but the 404 page is the same shell: covered by the others
    return {"pages": pages, "worker": worker.username, "moderator": moderator.username}


@pytest.fixture(params=sorted(DEVICES))
def large_text(request, site, tmp_path):
    """A Chromium whose own text size is raised, on a phone or a desk (its own profile, so the
    preference applies). Requested after the data, so the ORM never runs under Playwright's loop."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests pay for the import

    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(LARGE_TEXT_PREFERENCES))
    device = DEVICES[request.param]
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **device,
        )
        context.set_default_timeout(10_000)
        page = context.pages[0] if context.pages else context.new_page()
        page.device = request.param
        page.width = device["viewport"]["width"]
        yield page
        context.close()


def check(page, what):
    page.wait_for_load_state()
    seen = page.evaluate(LAYOUT, page.width)
    name = re.sub(r"\W+", "-", what)
    page.screenshot(path=SHOTS / f"shangju-large-{page.device}-{name}.png", full_page=True)
    assert seen["pageWidth"] <= page.width, (what, seen)
    if seen["brandCharacters"] is not None:
        assert seen["brandCharacters"] >= 5, (what, seen)  # 和平街道商… on a line, not 和/平/街/道
    assert seen["narrowestLabel"] >= 2, (what, seen)  # 工单编号 keeps its words beside the value
    assert seen["phoneNumberLines"] <= 1, (what, seen)
    return seen


def test_public_pages_fit_with_large_text(live_server, site, large_text):
    page = large_text
    page.goto(live_server.url + "/")
    assert float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")) >= 24
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="标准字号")).to_be_visible()
    for what, url in site["pages"].items():
        page.goto(live_server.url + url)
        check(page, what)

    # A case's own page, reached the way a resident reaches it: reference and the mobile's last digits.
    page.goto(live_server.url + "/track/")
    page.get_by_label("工单编号").fill("SJ-20261205-0009")
    page.get_by_label("手机号码后四位").fill(MOBILE[-4:])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"/track/SJ-20261205-0009/$"))
    check(page, "track status")


@pytest.mark.parametrize("role", ["worker", "moderator"])
def test_main_admin_pages_fit_with_large_text(live_server, site, large_text, role):
    page = large_text
    page.goto(live_server.url + "/admin/login/")
    check(page, "admin login")
    page.locator("input[name=username]").fill(site[role])
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    check(page, f"{role} dashboard")
    page.goto(live_server.url + "/admin/cases/")
    check(page, f"{role} case inbox")
    page.get_by_role("link", name="SJ-20261205-0009").click()
    page.wait_for_url(re.compile(r"/admin/cases/\d+/$"))
    check(page, f"{role} case page")
    if role == "moderator":
        for what, url in [
            ("applications", "/admin/applications/"),
            ("pages", "/admin/pages/"),
            ("statistics", "/admin/cases/stats/"),
            ("account", "/admin/account/"),
        ]:
            page.goto(live_server.url + url)
            check(page, what)
