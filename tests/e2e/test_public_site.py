"""A resident on a phone: home page, a news article, large text, filtering without JavaScript."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories as f

# The live server runs in another thread, so the data must be committed (transaction=True);
# serialized_rollback restores the home page and site that migrations created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Looked at by a person after a run: does the home page read well for an elderly resident?
SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-home-phone.png"


@pytest.fixture
def world(db):
    dongmen = f.community(name="东门社区", slug="dongmen")
    xiguan = f.community(name="西关社区", slug="xiguan")
    f.office_settings(office_name="和平街道商居联盟", hotline="0931-12345678", address="解放路 1 号")
    noodles = f.merchant(name="老王面馆", community_=dongmen)
    f.honour_roll(
        title="2026年第三季度红黑榜",
        honours=[(noodles, "red_flag", "装了油烟净化器"), (f.merchant(name="仁和中医诊所"), "civilised", "")],
    )
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    f.notice(title="东门便民集市", start=start, community=dongmen)
    f.news(title="东门社区召开月月谈", community=dongmen, tags=["议事"], intro="商户居民共商油烟治理。")
    f.news(title="西关志愿者清理楼道", community=xiguan, date=datetime.date(2026, 10, 1))
    return {"dongmen": dongmen}


def font_size(page, selector="body"):
    return float(page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)"))


def test_resident_reads_home_follows_news_and_switches_to_large_text(live_server, world, phone):
    page = phone
    page.goto(live_server.url + "/")

    assert page.locator(".red-flag .holder").inner_text() == "老王面馆"
    assert page.get_by_text("东门便民集市").is_visible()
    # Styles are served by us (no CDN) and applied: 18px base text on a phone.
    assert font_size(page) >= 16
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    page.get_by_role("link", name="东门社区召开月月谈").click()
    page.wait_for_url(re.compile(r"/news/news-\d+/$"))
    assert page.locator("h1").inner_text() == "东门社区召开月月谈"
    normal = font_size(page)

    page.get_by_role("button", name="大字模式").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "东门社区召开月月谈"  # back on the same article
    large = font_size(page)
    assert large > normal * 1.15
    assert page.get_by_role("button", name="标准字号").is_visible()

    page.goto(live_server.url + "/news/")
    assert "text-large" in page.eval_on_selector("html", "el => el.className")
    assert font_size(page) == large


def test_news_filter_works_with_javascript_off(live_server, world, phone_without_js):
    page = phone_without_js
    page.goto(live_server.url + "/news/")
    assert page.locator(".news-card").count() == 2

    page.get_by_label("社区").select_option("dongmen")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"community=dongmen"))

    titles = page.locator(".news-card .card-title").all_inner_texts()
    assert titles == ["东门社区召开月月谈"]
    assert "东门社区：共 1 条动态" in page.locator(".result-count").inner_text()


DIRECTORY_SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-directory-filters-phone.png"
SHOP_SCREENSHOT = Path(tempfile.gettempdir()) / "shangju-shop-page-phone.png"


@pytest.fixture
def shops(db):
    dongmen = f.community(name="东门社区", slug="dongmen")
    f.merchant(
        name="幸福里惠民超市",
        community_=dongmen,
        offers="老人购物满 50 元免费送货上楼",
        phone="0931-8123456",
        elderly_delivery=True,
        accepts_volunteer_points=True,
    )
    f.merchant(name="鲜果园水果店", community_=dongmen, offers="买满 30 元可电话预约送货", elderly_delivery=True)
    f.merchant(name="丝艺理发店", community_=dongmen, offers="老人理发 10 元", accepts_volunteer_points=True)


def test_directory_search_and_service_filters_work_with_javascript_off(live_server, shops, phone_without_js):
    page = phone_without_js
    page.goto(live_server.url + "/merchants/")
    page.get_by_label("搜索店铺").fill("送货")
    page.get_by_role("checkbox", name="为老送货上门").check()
    page.get_by_role("checkbox", name="可用积分").check()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"has=points"))

    assert page.locator(".merchant-card .card-title").all_inner_texts() == ["幸福里惠民超市"]
    chips = page.locator(".chips a")
    labels = [" ".join(text.split()) for text in chips.all_inner_texts()]
    assert labels == ["搜索：送货 ×", "为老送货上门 ×", "可用积分 ×", "清除全部"]
    assert page.locator(".merchant-card a[href='tel:09318123456']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the chips wrap, no sideways scroll
    for chip in chips.all():
        box = chip.bounding_box()
        assert box["height"] >= 44, box  # a finger can hit it
    page.screenshot(path=DIRECTORY_SCREENSHOT, full_page=True)

    page.get_by_role("link", name="去掉：可用积分").click()
    page.wait_for_load_state()
    assert sorted(page.locator(".merchant-card .card-title").all_inner_texts()) == ["幸福里惠民超市", "鲜果园水果店"]
    assert page.get_by_role("checkbox", name="可用积分").is_checked() is False
    assert page.get_by_role("checkbox", name="为老送货上门").is_checked()
    page.get_by_role("link", name="清除全部").click()
    page.wait_for_load_state()
    assert page.locator(".merchant-card").count() == 3 and page.locator(".chips").count() == 0

    # The shop's page: its phone to tap and the map link, with nothing loaded from the map's servers.
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_role("link", name="幸福里惠民超市").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="0931-8123456").get_attribute("href") == "tel:09318123456"
    assert (
        page.get_by_role("link", name="在地图中查看（高德地图）")
        .get_attribute("href")
        .startswith("https://uri.amap.com/search?keyword=")
    )
    assert all(url.startswith(live_server.url) for url in requests), requests
    page.screenshot(path=SHOP_SCREENSHOT, full_page=True)
