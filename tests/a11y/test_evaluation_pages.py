"""axe-core on the evaluation pages of the public site: a resident's round and sheet (with and without
errors) on 我的, and a round's published result with its computation. No serious or critical
violations, on a phone and a desktop, normal and large text."""

import pytest
from playwright.sync_api import expect

from evaluation.models import Party
from tests import factories as f

from .axe import MODES, open_mode
from .test_points_pages import session_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(db):
    community_ = f.community(name="幸福里社区")
    shops = [f.merchant(name=n, community_=community_) for n in ("丝艺理发店", "老王粮油店")]
    rater = f.moderator()
    scoring = f.evaluation_round(shops=shops, community_raters=[rater])
    published = f.evaluation_round(title="2026年第四季度", shops=shops, community_raters=[rater], state="published")
    for shop, score in zip(shops, (9, 6), strict=True):
        f.sheet(published, shop, rater, Party.COMMUNITY, (score,) * 6)
        f.sheet(published, shop, f.person().user, Party.RESIDENT, (score - 1,) * 6)
    resident = f.person(name="王秀兰", mobile="13812345678")
    return {"resident": session_for(resident), "scoring": scoring.pk, "published": published.pk, "shop": shops[0].pk}


def test_evaluation_pages_have_no_serious_violations(world, live_server, browser, audit):
    pages = {
        "我的（评选打分）": ("/my/", "商户评选打分"),
        "参评商户": (f"/my/evaluation/{world['scoring']}/", "已评 0 / 2 家"),
        "评分表": (f"/my/evaluation/{world['scoring']}/{world['shop']}/", "保存这家的评分"),
        "评选结果": (f"/evaluation/{world['published']}/", "计算方法"),
    }
    for mode in MODES:
        context = open_mode(browser, live_server, mode)
        context.add_cookies([{"name": "sessionid", "value": world["resident"], "url": live_server.url}])
        page = context.new_page()
        for label, (url, text) in pages.items():
            assert page.goto(live_server.url + url).status == 200, (label, url)
            expect(page.locator("main")).to_contain_text(text)
            audit.check(page, label, mode)
        page.goto(f"{live_server.url}/my/evaluation/{world['scoring']}/{world['shop']}/")
        page.get_by_label("卫生得分（0—10）").fill("11")
        page.get_by_role("button", name="保存这家的评分").click()
        expect(page.locator(".error-summary")).to_be_visible()
        audit.check(page, "评分表（有错误）", mode)
        context.close()
    assert not audit.found, audit.report()
