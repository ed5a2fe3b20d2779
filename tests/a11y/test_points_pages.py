"""axe-core on the volunteer points pages a resident and a shop's clerk use: 我的, the movements, the
spend form and its code, the name page, the desk with a code found, the 公示 and a volunteer notice
with its sign-up. No serious or critical violations, on a phone and a desktop, normal and large text."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts.signin import BACKEND
from points import earning
from tests import factories as f

from .axe import MODES, open_mode

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def session_for(person):
    """A session as the SMS sign-in leaves it (accounts/signin.py), for the browser's cookie."""
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(person.user.pk), BACKEND
    session[HASH_SESSION_KEY] = person.user.get_session_auth_hash()
    session.create()
    return session.session_key


@pytest.fixture
def world(db):
    organiser, worker = f.editor("organiser"), f.grid_worker(f.grid(), "worker")
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    resident = f.person(name="王秀兰", mobile="13812345678")
    clerk = f.shop_staff(shop, f.person(name="李店员", mobile="13900002222"))
    past = f.activity(title="幸福里街道清扫", starts_in_days=-3)
    earning.confirm_attendance(earning.record_attendance(past, resident, "3", organiser), worker)
    coming = f.activity(title="重阳节敬老活动", places=1)
    earning.sign_up(coming, resident)
    earning.sign_up(coming, f.person(name="赵阿姨"))  # waiting
    return {
        "resident": session_for(resident),
        "clerk": session_for(clerk),
        "shop": shop.pk,
        "coming": coming.notice.url,
        "past": past.notice.url,
    }


def test_points_pages_have_no_serious_violations(world, live_server, browser, audit):
    resident_pages = {
        "我的": ("/my/", "现有积分"),
        "积分记录": ("/my/points/", "幸福里街道清扫"),
        "抵扣积分": ("/my/points/spend/", "生成抵扣码"),
        "姓名": ("/my/name/", "您的姓名"),
        "志愿活动通知（已报名）": (world["coming"], "您的报名：已报名"),
        "志愿活动通知（公示）": (world["past"], "王*兰 3"),
        "积分公示": ("/points/", "王*兰 3"),
    }
    for mode in MODES:
        context = open_mode(browser, live_server, mode)
        context.add_cookies([{"name": "sessionid", "value": world["resident"], "url": live_server.url}])
        page = context.new_page()
        for label, (url, text) in resident_pages.items():
            assert page.goto(live_server.url + url).status == 200, (label, url)
            expect(page.locator("main")).to_contain_text(text)
            audit.check(page, label, mode)
        page.goto(live_server.url + "/my/points/spend/")
        page.get_by_label("这次要抵扣多少积分").fill("99")
        page.get_by_role("button", name="生成抵扣码").click()
        expect(page.locator(".error-summary")).to_be_visible()
        audit.check(page, "抵扣积分（有错误）", mode)
        page.get_by_label("这次要抵扣多少积分").fill("1")
        page.get_by_role("button", name="生成抵扣码").click()
        code = page.locator("[data-code]").inner_text().replace(" ", "")
        audit.check(page, "抵扣码", mode)
        context.close()

        desk = open_mode(browser, live_server, mode)
        desk.add_cookies([{"name": "sessionid", "value": world["clerk"], "url": live_server.url}])
        page = desk.new_page()
        page.goto(f"{live_server.url}/my/desk/{world['shop']}/")
        audit.check(page, "收积分", mode)
        page.get_by_label("居民的抵扣码").fill("1234")
        page.get_by_role("button", name="查找").click()
        expect(page.locator(".error-summary")).to_be_visible()
        audit.check(page, "收积分（抵扣码有误）", mode)
        page.get_by_label("居民的抵扣码").fill(code)
        page.get_by_role("button", name="查找").click()
        expect(page.locator("[data-found]")).to_contain_text("王*兰")
        audit.check(page, "收积分（确认）", mode)
        desk.close()

    assert not audit.found, audit.report()
