"""Alliance news (联盟动态): the index with its filters and pages, articles, related news."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from bulletins.blocks import BodyBlock
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def card_titles(response):
    return [a.get_text(strip=True) for a in soup(response).select(".news-card .card-title a")]


# --- Index --------------------------------------------------------------------------


def test_index_lists_live_news_newest_first_without_drafts(client, home):
    f.news(title="去年的议事会", date=datetime.date(2025, 12, 1))
    f.news(title="油烟治理见成效", date=datetime.date(2026, 11, 20))
    f.news(title="还没发布的稿子", date=datetime.date(2026, 11, 21), live=False)

    response = client.get("/news/")

    assert response.status_code == 200
    assert card_titles(response) == ["油烟治理见成效", "去年的议事会"]
    assert "共 2 条动态" in response.content.decode()


def test_index_paginates_twelve_a_page(client, home):
    for day in range(1, 15):
        f.news(title=f"第{day}条", date=datetime.date(2026, 10, day))

    first = client.get("/news/")
    second = client.get("/news/?page=2")

    assert len(card_titles(first)) == 12
    assert card_titles(second) == ["第2条", "第1条"]
    assert 'rel="next"' in first.content.decode()
    assert "第 2 页，共 2 页" in second.content.decode()


def test_filter_by_community(client, home):
    dongmen = f.community(name="东门社区", slug="dongmen")
    xiguan = f.community(name="西关社区", slug="xiguan")
    f.news(title="东门集市开张", community=dongmen)
    f.news(title="西关清理楼道", community=xiguan)

    response = client.get("/news/?community=dongmen")

    assert card_titles(response) == ["东门集市开张"]
    page = soup(response)
    assert page.select_one('#f-community option[value="dongmen"]').has_attr("selected")
    assert "东门社区：共 1 条动态" in response.content.decode()


def test_filter_by_tag_and_both(client, home):
    dongmen = f.community(name="东门社区", slug="dongmen")
    f.news(title="东门议事会", community=dongmen, tags=["议事会"])
    f.news(title="东门集市", community=dongmen, tags=["集市"])
    f.news(title="西关议事会", community=f.community(), tags=["议事会"])

    by_tag = client.get("/news/", {"tag": "议事会"})
    both = client.get("/news/", {"tag": "议事会", "community": "dongmen"})

    assert sorted(card_titles(by_tag)) == ["东门议事会", "西关议事会"]
    assert card_titles(both) == ["东门议事会"]


def test_filter_choices_offer_only_what_live_news_uses(client, home):
    f.news(title="有内容", community=f.community(name="东门社区", slug="dongmen"), tags=["集市"])
    f.community(name="空社区", slug="empty")
    f.news(title="草稿", community=f.community(name="草稿社区", slug="draft-only"), tags=["草稿标签"], live=False)

    page = soup(client.get("/news/"))

    communities = [o.get_text() for o in page.select("#f-community option")]
    tags = [o.get_text() for o in page.select("#f-tag option")]
    assert communities == ["全部社区", "东门社区"]
    assert tags == ["全部标签", "集市"]


def test_valid_community_without_news_is_an_empty_list_not_an_error(client, home):
    f.news(title="有内容", community=f.community(slug="dongmen"))
    f.community(name="空社区", slug="empty")

    response = client.get("/news/?community=empty")

    assert response.status_code == 200
    assert "没有符合条件的动态" in response.content.decode()
    assert soup(response).select_one('#f-community option[value="empty"]').has_attr("selected")


def test_filter_form_works_without_javascript(client, home):
    """A GET form with a submit button and a label on each select."""
    f.news(community=f.community(slug="dongmen"), tags=["集市"])

    form = soup(client.get("/news/")).select_one("form.filters")

    assert form["method"] == "get"
    assert form.select_one('button[type="submit"]')
    for select in form.select("select"):
        assert form.select_one(f'label[for="{select["id"]}"]')


@pytest.mark.parametrize(
    "query",
    [
        "community=nope",
        "tag=nope",
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999",
        "page=1.5",
        "community=dongmen&page=2",
    ],
)
def test_bad_filter_or_page_is_404(client, home, query):
    f.news(community=f.community(slug="dongmen"))

    response = client.get(f"/news/?{query}")

    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_unknown_and_draft_article_slugs_are_404(client, home):
    draft = f.news(title="草稿", slug="draft-story", live=False)

    assert client.get("/news/no-such-story/").status_code == 404
    assert client.get(f"/news/{draft.slug}/").status_code == 404


# --- Article ------------------------------------------------------------------------


def test_article_shows_date_community_tags_and_body_blocks(client, home):
    dongmen = f.community(name="东门社区", slug="dongmen")
    photo, one, two = f.image("巷口"), f.image("集市一"), f.image("集市二")
    article = f.news(
        title="巷口积水当天解决",
        date=datetime.date(2026, 11, 22),
        community=dongmen,
        tags=["排水", "网格哨兵"],
        intro="网格哨兵上报，当天疏通。",
        body=f.body(
            ("paragraph", "<p>早上七点，面馆老板发现巷口积水。</p>"),
            ("image", {"image": photo.pk, "alt": "志愿者在巷口清理积水", "caption": "清理现场"}),
            ("quote", {"text": "下雨天终于不用绕路了。", "attribution": "居民 王阿姨"}),
            (
                "gallery",
                {
                    "title": "疏通前后",
                    "images": [
                        {"image": one.pk, "alt": "疏通前的积水", "caption": ""},
                        {"image": two.pk, "alt": "疏通后的路面", "caption": ""},
                    ],
                },
            ),
        ),
    )

    response = client.get(article.url)
    html = response.content.decode()
    page = soup(response)

    assert response.status_code == 200
    assert page.h1.get_text() == "巷口积水当天解决"
    assert "2026年11月22日 星期日" in html
    assert page.select_one('time[datetime="2026-11-22"]')
    assert page.select_one('a[href="/news/?community=dongmen"]').get_text() == "东门社区"
    assert {a.get_text() for a in page.select("a.tag")} == {"排水", "网格哨兵"}
    assert "早上七点，面馆老板发现巷口积水。" in html
    assert page.select_one('.prose img[alt="志愿者在巷口清理积水"]')
    assert "清理现场" in html
    assert "下雨天终于不用绕路了。" in page.select_one("blockquote").get_text()
    assert [img["alt"] for img in page.select(".gallery img")] == ["疏通前的积水", "疏通后的路面"]


def test_image_blocks_require_alt_text():
    image_block = BodyBlock().child_blocks["image"]
    assert image_block.child_blocks["alt"].required
    with pytest.raises(ValidationError):
        image_block.clean(image_block.to_python({"image": None, "alt": "", "caption": ""}))


def test_related_articles_share_a_tag_or_community_and_skip_drafts(client, home):
    dongmen = f.community(slug="dongmen")
    article = f.news(title="本文", community=dongmen, tags=["集市"])
    f.news(title="同社区", community=dongmen, date=datetime.date(2026, 10, 1))
    f.news(title="同标签", community=f.community(), tags=["集市"], date=datetime.date(2026, 10, 2))
    f.news(title="草稿同标签", tags=["集市"], live=False)
    f.news(title="无关", community=f.community(), tags=["别的"])

    page = soup(client.get(article.url))

    related = [a.get_text() for a in page.select(".related .card-title a")]
    assert related == ["同标签", "同社区"]


def test_related_articles_are_at_most_three_and_unique(client, home):
    dongmen = f.community(slug="dongmen")
    article = f.news(title="本文", community=dongmen, tags=["集市", "议事"])
    for n in range(5):
        f.news(title=f"相关{n}", community=dongmen, tags=["集市", "议事"], date=datetime.date(2026, 10, n + 1))

    related = [a.get_text() for a in soup(client.get(article.url)).select(".related .card-title a")]

    assert related == ["相关4", "相关3", "相关2"]


def test_article_without_tags_or_community_has_no_related_section(client, home):
    article = f.news(title="孤零零")
    f.news(title="别的")

    assert not soup(client.get(article.url)).select(".related")


# --- Query budgets ------------------------------------------------------------------


def _grow_news(count, with_images=True):
    for n in range(count):
        community = f.community()
        f.news(
            community=community,
            tags=["集市", f"标签{n}"],
            feed_image=f.image() if with_images else None,
            intro="摘要",
            date=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
        )


@pytest.mark.parametrize("url", ["/news/", "/news/?tag=集市", "/news/?community={slug}"])
def test_index_query_budget_is_fixed(client, home, django_assert_max_num_queries, url):
    dongmen = f.community(slug="dongmen")
    f.news(community=dongmen, tags=["集市"], feed_image=f.image())
    _grow_news(2)
    url = url.format(slug="dongmen")

    small = rendered_queries(django_assert_max_num_queries, client, url, budget=22)
    _grow_news(14)
    for _ in range(3):
        f.news(community=dongmen, tags=["集市"], feed_image=f.image())
    large = rendered_queries(django_assert_max_num_queries, client, url, budget=22)

    assert small == large


def test_article_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    dongmen = f.community(slug="dongmen")
    article = f.news(community=dongmen, tags=["集市", "议事"], feed_image=f.image(), intro="摘要")
    _grow_news(1)

    small = rendered_queries(django_assert_max_num_queries, client, article.url, budget=24)
    _grow_news(10)
    for _ in range(4):
        f.news(community=dongmen, tags=["集市", "议事"], feed_image=f.image())
    large = rendered_queries(django_assert_max_num_queries, client, article.url, budget=24)

    assert small == large
