"""Volunteer points as people use them, in a real browser.

A resident on a phone signs in by SMS code from a clean-up notice and signs up; after the clean-up
the organiser records her hours and the grid worker confirms them in the admin; she sees the
points on 我的, asks to spend 3 at a member shop and shows the code; the shop's clerk, on a
phone-sized desk page, types it, sees the amount and her masked name, and confirms; both see the
movement.

The SMS gateway here is the test backend: the test reads the code from what it "sent", as the
phone would show it.
"""

import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from portal import sms
from tests import factories as f
from tests.browser import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery"
RESIDENT, CLERK = "13812345678", "13900002222"
TIMEOUT = 10_000
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def alliance(db):
    grid_ = f.grid(f.community(name="幸福里社区", slug="xingfuli"), name="第一网格")
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    f.shop_staff(shop, f.person(name="李店员", mobile=CLERK))
    f.editor("zuzhi", password=PASSWORD, first_name="组织人")
    f.grid_worker(grid_, username="wanggang", password=PASSWORD, first_name="王刚")
    activity = f.activity(title="幸福里街道清扫", places=10, points_per_hour=1, points_cap=4)
    return {"notice_url": activity.notice.url, "activity": activity, "shop": shop.pk}


def outside_the_browser(function, *args):
    """Run an ORM call in a thread of its own: Playwright's event loop makes this one async-unsafe."""
    failed = []

    def run():
        try:
            function(*args)
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            failed.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def last_code(mobile):
    return next(m for m in reversed(sms.outbox) if m.mobile == mobile).params["code"]


@contextmanager
def window(browser, **device):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **device)
    context.set_default_timeout(TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in_by_sms(page, mobile):
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(last_code(mobile))
    page.get_by_role("button", name=re.compile("登录")).click()


def admin_login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_earn_at_a_clean_up_and_spend_three_points_at_a_member_shop(alliance, sms_outbox, live_server, browser):
    with window(browser, **PHONE) as resident:
        # Sign up from the notice; signing in brings her back to it.
        resident.goto(live_server.url + alliance["notice_url"])
        resident.get_by_role("link", name="登录后报名").click()
        sign_in_by_sms(resident, RESIDENT)
        resident.wait_for_url(re.compile(re.escape(alliance["notice_url"]) + "$"))
        resident.get_by_role("button", name="我要报名").click()
        # A first sign-up asks for her name (the organiser checks it; the 公示 shows 王*兰).
        expect(resident.locator(".messages")).to_contain_text("报名前请先留下您的姓名")
        resident.get_by_label("您的姓名").fill("王秀兰")
        resident.get_by_role("button", name="保存").click()
        resident.get_by_role("button", name="我要报名").click()
        expect(resident.locator(".messages")).to_contain_text("报名成功")
        expect(resident.locator(".activity")).to_contain_text("您的报名：已报名")

        outside_the_browser(f.happened, alliance["activity"])  # the morning of the clean-up passes

        with window(browser, **DESKTOP) as organiser:
            admin_login(organiser, live_server, "zuzhi")
            organiser.goto(live_server.url + "/admin/snippets/points/activity/")
            organiser.get_by_role("button", name=re.compile("更多|More")).first.click()
            organiser.get_by_role("link", name="登记出勤").click()
            organiser.get_by_label("王秀兰").fill("3")
            organiser.get_by_role("button", name="登记出勤").click()
            expect(organiser.locator(".messages")).to_contain_text("已登记 1 人的出勤")

        # Not yet: one person alone never issues points.
        resident.goto(live_server.url + "/my/")
        expect(resident.locator("[data-balance]")).to_have_text("0")

        with window(browser, **DESKTOP) as worker:
            admin_login(worker, live_server, "wanggang")
            worker.get_by_role("button", name="志愿积分").click()
            worker.get_by_role("link", name="出勤复核").click()
            expect(worker.locator("main")).to_contain_text("王秀兰")
            expect(worker.locator("main")).to_contain_text("138****5678")
            worker.get_by_role("button", name="复核并发放积分").click()
            expect(worker.locator(".messages")).to_contain_text("已复核 1 条出勤")

        resident.reload()
        expect(resident.locator("[data-balance]")).to_have_text("3")
        expect(resident.locator("table.movements")).to_contain_text("幸福里街道清扫")
        resident.get_by_role("link", name="到联盟商户抵扣积分").click()
        resident.get_by_label("这次要抵扣多少积分").fill("3")
        resident.get_by_role("button", name="生成抵扣码").click()
        code = resident.locator("[data-code]").inner_text().replace(" ", "")
        assert re.fullmatch(r"\d{8}", code)
        expect(resident.locator(".qr svg")).to_be_visible()
        resident.screenshot(path=str(SHOTS / "shangju-spend-code-phone.png"), full_page=True)

        with window(browser, **PHONE) as clerk:
            clerk.goto(live_server.url + "/my/desk/")
            sign_in_by_sms(clerk, CLERK)
            clerk.goto(live_server.url + "/my/desk/")
            clerk.wait_for_url(re.compile(rf"/my/desk/{alliance['shop']}/$"))
            clerk.get_by_label("居民的抵扣码").fill(code[:4] + " " + code[4:])
            clerk.get_by_role("button", name="查找").click()
            found = clerk.locator("[data-found]")
            expect(found).to_contain_text("王*兰")
            expect(found).to_contain_text("3")
            clerk.screenshot(path=str(SHOTS / "shangju-desk-confirm-phone.png"), full_page=True)
            clerk.get_by_role("button", name="确认抵扣").click()
            expect(clerk.locator(".messages")).to_contain_text("已抵扣 3 分")
            expect(clerk.locator("table.movements")).to_contain_text("王*兰")
            # The page fits the phone: nothing wider than the screen.
            width = clerk.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["viewport"]["width"], width

        resident.goto(live_server.url + "/my/")
        expect(resident.locator("[data-balance]")).to_have_text("0")
        expect(resident.locator("table.movements")).to_contain_text("商户抵扣 老王粮油店")
        expect(resident.locator("table.movements")).to_contain_text("-3")
        resident.screenshot(path=str(SHOTS / "shangju-my-points-phone.png"), full_page=True)
