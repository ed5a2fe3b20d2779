"""An editor in Chromium: autosave and starting an article again, and the publishing schedule
dialog at a desktop and a phone width. Screenshots land in the temporary folder for a person to look at."""

import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "正确的密码-2026"
TITLE = "东门社区便民集市开张"
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def newsroom(home):
    index = f.news_index()
    f.editor("linxiaoyan", password=PASSWORD, first_name="晓燕", last_name="林")
    get_user_model().objects.create_superuser("zhoujianhua", password=PASSWORD, first_name="建华", last_name="周")
    article = f.news(title="和平街道商居联盟召开年度工作会议", intro="三个社区的商户和居民代表参加。")
    notice = f.notice(title="每月 18 日便民集市")
    return {
        "add": f"/admin/pages/add/bulletins/newspage/{index.pk}/",
        "index": index.pk,
        "article": article.pk,
        "notice": notice.pk,
    }


@contextmanager
def window(browser, device):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **device)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def admin_login(page, base, username):
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def type_title_and_wait_for_autosave(page, base, add_url):
    page.goto(base + add_url)
    # Wagtail's unsaved-changes watcher takes its snapshot of the form two seconds after load.
    page.wait_for_timeout(2_500)
    with page.expect_response(lambda r: r.request.method == "POST" and add_url in r.url) as autosave:
        page.locator("#id_title").click()
        page.keyboard.type(TITLE)
        page.keyboard.press("Tab")
    return autosave.value


def test_starting_an_article_again_after_autosave_kept_the_first(live_server, newsroom, browser):
    today = timezone.localdate().isoformat()
    with window(browser, DESKTOP) as page:
        admin_login(page, live_server.url, "linxiaoyan")

        first = type_title_and_wait_for_autosave(page, live_server.url, newsroom["add"])
        assert first.json()["success"] is True
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))  # autosave made it a draft

        # The editor, not knowing, opens a new article and types the same title.
        second = type_title_and_wait_for_autosave(page, live_server.url, newsroom["add"])
        assert second.json()["success"] is True, second.text()
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
        expect(page.locator(".messages")).not_to_contain_text("错误")
        assert "already in use" not in page.content()

        page.get_by_role("tab", name="推荐").click()
        expect(page.locator("#id_slug")).to_have_value(f"{today}-2")
        page.screenshot(path=str(SHOTS / "shangju-editor-second-article-promote.png"), full_page=True)

        # Both drafts are in the section's list, each at its own date address.
        page.goto(live_server.url + f"/admin/pages/{newsroom['index']}/")
        expect(page.get_by_role("link", name=TITLE)).to_have_count(2)


def box(page, selector):
    return page.locator(selector).bounding_box()


def overlap(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("device_name", ["desktop", "phone"])
def test_the_schedule_picker_leaves_its_save_button_free(live_server, newsroom, browser, device_name):
    device = DESKTOP if device_name == "desktop" else PHONE
    width, height = device["viewport"]["width"], device["viewport"]["height"]
    with window(browser, device) as page:
        admin_login(page, live_server.url, "zhoujianhua")
        page.goto(live_server.url + f"/admin/pages/{newsroom['article']}/edit/")
        page.locator("button[data-side-panel-toggle='status']").click()
        page.locator("button[data-a11y-dialog-show='schedule-publishing-dialog']").click()
        dialog = page.locator("#schedule-publishing-dialog")
        save = dialog.get_by_role("button", name="保存计划")
        expect(save).to_be_visible()

        for field in ("go_live_at", "expire_at"):
            dialog.locator(f"#id_{field}").click()
            picker = dialog.locator(".xdsoft_datetimepicker:visible")
            expect(picker).to_have_count(1)
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"shangju-schedule-picker-{field}-{device_name}.png"))
            drawn = picker.bounding_box()
            assert not overlap(drawn, save.bounding_box()), (field, drawn, save.bounding_box())
            # The whole calendar is on the screen, and the button can still be pressed.
            assert drawn["x"] >= 0 and drawn["x"] + drawn["width"] <= width, drawn
            assert drawn["y"] >= 0 and drawn["y"] + drawn["height"] <= height, drawn
            save.scroll_into_view_if_needed()
            assert page.evaluate(
                """(button) => { const r = button.getBoundingClientRect();
                    return button.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }""",
                save.element_handle(),
            ), field
            # A day, then a time: the picker closes and the field holds the moment.
            picker.locator(".xdsoft_date:not(.xdsoft_disabled)").last.click()
            picker.locator(".xdsoft_time:not(.xdsoft_disabled)").last.click()
            expect(dialog.locator(f"#id_{field}")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))


def test_date_pickers_in_the_page_editor_fit_a_phone(live_server, newsroom, browser):
    width = PHONE["viewport"]["width"]
    with window(browser, PHONE) as page:
        admin_login(page, live_server.url, "zhoujianhua")
        page.goto(live_server.url + f"/admin/pages/{newsroom['notice']}/edit/")
        page.get_by_role("tab", name="时间地点").click()
        for field in ("start", "end"):
            page.locator(f"#id_{field}").click()
            picker = page.locator(".xdsoft_datetimepicker:visible")
            expect(picker).to_have_count(1)
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"shangju-notice-picker-{field}-phone.png"))
            drawn = picker.bounding_box()
            # Monday's column and the previous-month arrow are on the screen, not cut off at the left.
            assert drawn["x"] >= 0 and drawn["x"] + drawn["width"] <= width, (field, drawn)
            expect(picker.locator(".xdsoft_prev").first).to_be_in_viewport()
            page.keyboard.press("Escape")
            page.locator("#id_place").click()
