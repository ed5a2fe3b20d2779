"""A community rater scores shops on a phone (390 px) in the admin: one shop at a time, a wrong score
refused in Chinese with what was typed kept, the sheet saved as she goes, the next shop offered, and
the sheet found where she left it when she comes back; last quarter's published result reads on the
same phone. Nothing scrolls sideways.

Screenshots for a person to look at after a run: shangju-scoring-phone*.png in the temp folder.
Everything the browser needs is built before it starts: no ORM calls in the test body.
"""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery"
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def scoring_world(db):
    community_ = f.community(name="幸福里社区", slug="xingfuli")
    shops = [f.merchant(name=n, community_=community_) for n in ("丝艺理发店", "老王粮油店")]
    rater = f.moderator("pingfen", password=PASSWORD, first_name="李", last_name="红")
    round_ = f.evaluation_round(shops=shops, community_raters=[rater])
    # Last quarter's round, in 公示: its result page on the same phone.
    published = f.evaluation_round(title="2026年第四季度", shops=shops, community_raters=[rater], state="published")
    for shop, score in zip(shops, (9, 7), strict=True):
        f.sheet(published, shop, rater, scores=(score,) * 6)
    return {"round": round_.pk, "shops": [s.pk for s in shops], "published": published.pk}


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_rater_fills_a_sheet_on_a_phone(scoring_world, live_server, phone):
    page = phone
    page.goto(live_server.url + "/admin/login/")
    page.locator("input[name=username]").fill("pingfen")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(live_server.url + "/admin/evaluation/score/")
    page.get_by_role("link", name="2027年第一季度").click()
    expect(page.get_by_text("已评 0 / 2 家")).to_be_visible()
    page.get_by_role("link", name="丝艺理发店").click()

    scores = {"卫生": "11", "服务": "8", "诚信（含公平秤）": "９", "安全": "7", "外摆/市容": "6", "公益": "5"}
    for label, value in scores.items():
        page.get_by_label(f"{label}得分（0—10）").fill(value)
    page.get_by_label("外摆/市容备注").fill("门口偶尔摆放纸箱")
    page.get_by_role("button", name="保存这家的评分").click()
    # Refused in Chinese beside the field; everything typed is still there.
    expect(page.locator(".sheet-dimension.has-error")).to_contain_text("分数不能超过满分 10 分。")
    expect(page.get_by_label("外摆/市容备注")).to_have_value("门口偶尔摆放纸箱")
    expect(page.get_by_label("服务得分（0—10）")).to_have_value("8")
    assert sideways(page) <= 0
    page.screenshot(path=str(SCREENSHOTS / "shangju-scoring-phone-error.png"), full_page=True)

    page.get_by_label("卫生得分（0—10）").fill("9")
    page.get_by_role("button", name="保存这家的评分").click()
    # Saved; the next shop she has not scored comes up.
    expect(page.get_by_text("已保存“丝艺理发店”的评分。")).to_be_visible()
    expect(page.locator("h2").filter(has_text="老王粮油店")).to_be_visible()
    assert sideways(page) <= 0
    page.screenshot(path=str(SCREENSHOTS / "shangju-scoring-phone.png"), full_page=True)

    # She leaves; coming back, the first sheet is where she left it (full-width ９ stored as 9).
    page.goto(live_server.url + f"/admin/evaluation/score/{scoring_world['round']}/")
    expect(page.get_by_text("已评 1 / 2 家")).to_be_visible()
    page.get_by_role("link", name="丝艺理发店").click()
    expect(page.get_by_label("卫生得分（0—10）")).to_have_value("9")
    expect(page.get_by_label("诚信（含公平秤）得分（0—10）")).to_have_value("9")
    expect(page.get_by_label("外摆/市容备注")).to_have_value("门口偶尔摆放纸箱")

    # The published result reads on the phone without scrolling sideways, the ranking table included.
    page.goto(live_server.url + f"/evaluation/{scoring_world['published']}/")
    expect(page.locator(".result-table")).to_contain_text("丝艺理发店")
    assert sideways(page) <= 0
    assert page.evaluate("(t => t.scrollWidth - t.clientWidth)(document.querySelector('.result-ranking'))") <= 0
