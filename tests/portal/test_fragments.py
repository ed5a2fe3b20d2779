"""Fragments and cards kept as plain values under the content generation (portal/contentcache.py):
never stale after a publish, unpublish, move, delete or registry change, never a model instance in
the cache, and fewer queries per page once they are kept."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache

from tests import factories as f
from tests.budget import rendered_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("content_cache_on")]


@pytest.fixture
def content_cache_on(settings):
    # The whole-page cache stays off: every request renders, from the fragments kept.
    settings.PAGE_CACHE_SECONDS = 0
    settings.CONTENT_CACHE_SECONDS = 300


def soup(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content.decode(), "html.parser")


def texts(page, selector):
    return [node.get_text(" ", strip=True) for node in page.select(selector)]


def news_titles(client, url):
    return texts(soup(client, url), ".news-card .card-title a")


def test_a_published_change_shows_on_every_card_at_once(client, home):
    f.news_index()
    tag = "集市"
    article = f.news(title="夜市开张", tags=[tag], intro="东门夜市")
    other = f.news(title="集市改期", tags=[tag], date=datetime.date(2026, 10, 1))
    for url in ("/", "/news/", other.url):
        assert "夜市开张" in news_titles(client, url), url

    article.title = "夜市延长到十点"
    article.save_revision().publish()

    for url in ("/", "/news/", other.url):
        assert "夜市延长到十点" in news_titles(client, url), url
        assert "夜市开张" not in news_titles(client, url), url


def test_unpublished_and_deleted_articles_leave_every_list(client, home):
    f.news_index()
    gone = f.news(title="即将撤下")
    deleted = f.news(title="即将删除")
    for url in ("/", "/news/"):
        assert {"即将撤下", "即将删除"} <= set(news_titles(client, url))

    gone.unpublish()
    deleted.delete()

    for url in ("/", "/news/"):
        assert not {"即将撤下", "即将删除"} & set(news_titles(client, url)), url


def test_a_community_rename_reaches_cards_and_filters(client, home):
    f.news_index()
    dongmen = f.community(name="东门社区", slug="dongmen")
    f.news(title="东门月月谈", community=dongmen, tags=["议事"])
    page = soup(client, "/news/")
    assert "东门社区" in texts(page, ".news-card .meta")[0]
    assert "东门社区" in texts(page, "#f-community option")

    dongmen.name = "东门街社区"
    dongmen.save()

    page = soup(client, "/news/")
    assert "东门街社区" in texts(page, ".news-card .meta")[0]
    assert "东门街社区" in texts(page, "#f-community option")


def test_filters_offer_what_has_news_and_keep_a_valid_choice(client, home):
    f.news_index()
    f.news(title="有标签", tags=["集市"])
    f.community(name="西门社区", slug="ximen")
    assert texts(soup(client, "/news/"), "#f-tag option") == ["全部标签", "集市"]
    assert "西门社区" not in texts(soup(client, "/news/"), "#f-community option")

    chosen = soup(client, "/news/?community=ximen")
    assert chosen.select_one("#f-community option[selected]").get_text() == "西门社区"

    f.news(title="新标签", tags=["议事"])
    assert sorted(texts(soup(client, "/news/"), "#f-tag option")) == sorted(["全部标签", "集市", "议事"])


def test_breadcrumbs_follow_a_move_and_a_renamed_parent(client, home):
    about = f.standard_page(title="关于联盟")
    team = f.standard_page(title="组织架构")
    member = f.standard_page(title="成员名单", parent=about)
    assert texts(soup(client, member.url), ".breadcrumbs a") == ["首页", "关于联盟"]

    about.title = "关于商居联盟"
    about.save_revision().publish()
    assert texts(soup(client, member.url), ".breadcrumbs a") == ["首页", "关于商居联盟"]

    member.move(team, pos="last-child")
    member.refresh_from_db()
    assert texts(soup(client, member.url), ".breadcrumbs a") == ["首页", "组织架构"]


def test_the_share_image_follows_the_settings(client, home):
    f.office_settings(share_image=f.image("分享图一", size=(1300, 700)))
    first = soup(client, "/").find("meta", property="og:image")["content"]
    assert first.startswith("http://testserver/")

    f.office_settings(share_image=f.image("分享图二", size=(1400, 800)))
    second = soup(client, "/").find("meta", property="og:image")["content"]
    assert second != first

    f.office_settings(share_image=None)
    assert soup(client, "/").find("meta", property="og:image") is None


def test_a_merchant_change_reaches_its_card(client, home):
    shop = f.merchant(name="老王面馆", offers="老人九折", accepts_volunteer_points=False)
    assert texts(soup(client, "/merchants/"), ".merchant-card .card-title") == ["老王面馆"]

    shop.name = "老王牛肉面馆"
    shop.accepts_volunteer_points = True
    shop.save()
    page = soup(client, "/merchants/")
    assert texts(page, ".merchant-card .card-title") == ["老王牛肉面馆"]
    assert "收志愿者积分" in texts(page, ".merchant-card .tag")
    assert texts(soup(client, "/merchants/?has=points"), ".merchant-card .card-title") == ["老王牛肉面馆"]

    shop.membership_status = shop.Status.SUSPENDED
    shop.save()
    assert texts(soup(client, "/merchants/"), ".merchant-card .card-title") == []


def test_a_new_roll_reaches_the_index_and_the_home_page(client, home):
    f.honour_index()
    noodles = f.merchant(name="老王面馆")
    barber = f.merchant(name="阿芳理发")
    f.honour_roll(
        title="第二季度红黑榜",
        honours=[(noodles, "red_flag", "")],
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
    )
    assert texts(soup(client, "/honour-rolls/"), ".holder-line") == ["流动红旗 老王面馆"]
    assert "老王面馆" in texts(soup(client, "/"), ".red-flag .holder")

    f.honour_roll(title="第三季度红黑榜", honours=[(barber, "red_flag", "服务周到")])

    index = soup(client, "/honour-rolls/")
    assert texts(index, ".roll-list .card-title") == ["第三季度红黑榜", "第二季度红黑榜"]
    assert texts(soup(client, "/"), ".red-flag .holder") == ["阿芳理发"]


def _plain(value):
    if isinstance(value, (str, int, float, bool, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, (str, int)) and _plain(item) for key, item in value.items())
    return False


def test_the_cards_and_fragments_kept_are_plain_values(client, home):
    f.news_index()
    f.honour_index()
    dongmen = f.community(name="东门社区")
    shop = f.merchant(name="老王面馆", photo=f.image())
    f.honour_roll(honours=[(shop, "red_flag", "")])
    article = f.news(title="东门月月谈", community=dongmen, tags=["议事"], feed_image=f.image())
    f.news(title="相关", community=dongmen)
    f.office_settings(share_image=f.image())
    for url in ("/", "/news/", article.url, "/honour-rolls/", "/merchants/"):
        soup(client, url)

    names = {"news-card", "merchant-card", "roll-card", "news-index", "news-filters", "news-related"}
    names |= {"home-roll", "home-latest-news", "breadcrumbs", "share-image", "office-settings", "cover-image"}
    names |= {"directory-ids", "directory-communities"}
    kept = {}
    for key in list(cache._cache):  # locmem's own keys (":1:content:<name>:..."): what Redis would hold
        name = key.split(":")[3] if key.count(":") >= 3 else ""
        if name in names:
            kept[key] = cache.get(key.split(":", 2)[2])
    assert {key.split(":")[3] for key in kept} == names
    for key, value in kept.items():
        assert _plain(value), (key, value)


# --- Queries: constant in content size, and fewer once kept ---------------------------------


def _grow(count):
    for n in range(count):
        community = f.community()
        f.news(community=community, tags=["集市", f"标签{n}"], feed_image=f.image(), intro="摘要")
        f.merchant(photo=f.image(), community_=community)


@pytest.mark.parametrize(
    "url,budget", [("/", 6), ("/news/", 6), ("/news/?tag=集市", 7), ("/merchants/", 3), ("/honour-rolls/", 6)]
)
def test_kept_pages_run_few_queries_whatever_the_content(client, home, django_assert_max_num_queries, url, budget):
    f.news_index()
    f.honour_index()
    f.office_settings()  # created on first use otherwise, which (rightly) starts a new generation
    f.honour_roll(honours=[(f.merchant(), "red_flag", "")])
    _grow(2)
    small = rendered_queries(django_assert_max_num_queries, client, url, budget=budget)
    _grow(14)
    large = rendered_queries(django_assert_max_num_queries, client, url, budget=budget)
    assert small == large


def test_the_cover_image_follows_an_edit_and_a_change_of_image(client, home):
    f.news_index()
    cover = f.image(title="集市现场", size=(1600, 900))
    article = f.news(title="东门集市", feed_image=cover)
    img = soup(client, article.url).select_one("figure.cover img")
    assert img["alt"] == "集市现场"
    assert [part.split()[-1] for part in img["srcset"].split(", ")] == ["480w", "960w", "1440w"]

    cover.description = "居民在广场上挑选蔬菜"
    cover.save()
    assert soup(client, article.url).select_one("figure.cover img")["alt"] == "居民在广场上挑选蔬菜"

    article.feed_image = f.image(title="议事现场", size=(800, 600))
    article.save_revision().publish()
    img = soup(client, article.url).select_one("figure.cover img")
    assert img["alt"] == "议事现场"
    assert img["width"] == "480"


def test_a_new_community_reaches_the_directory_filter(client, home):
    f.merchant(name="老王面馆", community_=f.community(name="东门社区", slug="dongmen"))
    assert texts(soup(client, "/merchants/"), "#m-community option") == ["全部社区", "东门社区"]
    f.community(name="西门社区", slug="ximen")
    page = soup(client, "/merchants/?community=ximen")
    assert texts(page, "#m-community option") == ["全部社区", "东门社区", "西门社区"]
    assert page.select_one("#m-community option[selected]").get_text() == "西门社区"
    assert texts(page, ".merchant-card .card-title") == []
