"""Feeds, sitemap, robots.txt and OpenGraph: how the news travels beyond the site."""

import datetime
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree

from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def og(response, prop):
    tag = soup(response).select_one(f'meta[property="{prop}"]')
    return tag["content"] if tag else None


# --- Feeds --------------------------------------------------------------------------


def test_rss_feed_is_valid_xml_with_chinese_titles_and_no_drafts(client, home):
    f.news(title="东门社区召开月月谈", intro="商户居民共商油烟治理。", tags=["议事"], date=datetime.date(2026, 11, 22))
    f.news(title="西关便民集市", date=datetime.date(2026, 11, 18))
    f.news(title="未发布的草稿", live=False)

    response = client.get("/feeds/news/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "商居联盟 · 联盟动态"
    assert channel.findtext("link") == "http://testserver/news/"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["东门社区召开月月谈", "西关便民集市"]
    first = items[0]
    assert first.findtext("link").startswith("http://testserver/news/")
    assert first.findtext("description") == "商户居民共商油烟治理。"
    assert [c.text for c in first.findall("category")] == ["议事"]
    assert "22 Nov 2026" in first.findtext("pubDate")


def test_atom_feed_is_valid_xml_with_chinese_titles(client, home):
    f.news(title="东门社区召开月月谈", intro="商户居民共商油烟治理。")
    f.news(title="未发布的草稿", live=False)

    response = client.get("/feeds/news/atom/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "商居联盟 · 联盟动态"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["东门社区召开月月谈"]
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://testserver/news/")
    assert entries[0].findtext(f"{ATOM}updated")


def test_feeds_are_advertised_in_every_page_head(client, home):
    page = soup(client.get("/"))

    assert page.select_one('link[rel="alternate"][type="application/rss+xml"]')["href"] == "/feeds/news/"
    assert page.select_one('link[rel="alternate"][type="application/atom+xml"]')["href"] == "/feeds/news/atom/"


@pytest.mark.parametrize("url", ["/feeds/news/", "/feeds/news/atom/"])
def test_feed_query_budget_is_fixed(client, home, django_assert_max_num_queries, url):
    def grow(n):
        for i in range(n):
            f.news(tags=["集市", f"t{i}"], feed_image=f.image(), community=f.community())

    grow(2)
    small = rendered_queries(django_assert_max_num_queries, client, url, budget=8)
    grow(25)
    large = rendered_queries(django_assert_max_num_queries, client, url, budget=8)

    assert small == large


def test_feed_holds_at_most_twenty_items(client, home):
    for day in range(1, 25):
        f.news(date=datetime.date(2026, 10, day))

    channel = ElementTree.fromstring(client.get("/feeds/news/").content).find("channel")

    assert len(channel.findall("item")) == 20


# --- Sitemap and robots -------------------------------------------------------------


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {urlsplit(loc.text).path for loc in root.iter(f"{SITEMAP}loc")}


def test_sitemap_lists_live_pages_only(client, home):
    live = f.news(title="已发布", slug="live-story")
    f.news(title="草稿", slug="draft-story", live=False)
    roll = f.honour_roll(slug="q3")
    unpublished_roll = f.honour_roll(slug="q2")
    unpublished_roll.unpublish()
    about = f.standard_page(slug="about")

    paths = sitemap_paths(client)

    assert {"/", "/news/", live.url, "/honour-rolls/", roll.url, about.url} <= paths
    assert "/news/draft-story/" not in paths
    assert "/honour-rolls/q2/" not in paths


def test_sitemap_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            f.news(tags=["集市"])
            f.honour_roll(honours=[(f.merchant(), "red_flag", "")])
            f.standard_page()

    grow(1)
    small = rendered_queries(django_assert_max_num_queries, client, "/sitemap.xml", budget=14)
    grow(10)
    large = rendered_queries(django_assert_max_num_queries, client, "/sitemap.xml", budget=14)

    assert small == large


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_forms(client, home):
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /report/" in lines
    assert "Disallow: /news/" not in lines


# --- OpenGraph ----------------------------------------------------------------------


def test_article_og_tags_use_its_cover_with_an_absolute_url(client, home):
    article = f.news(title="巷口积水当天解决", intro="网格哨兵上报，当天疏通。", feed_image=f.image(size=(1600, 900)))

    response = client.get(article.url)

    assert og(response, "og:title") == "巷口积水当天解决"
    assert og(response, "og:description") == "网格哨兵上报，当天疏通。"
    assert og(response, "og:type") == "article"
    assert og(response, "og:locale") == "zh_CN"
    assert og(response, "og:url") == f"http://testserver{article.url}"
    image = og(response, "og:image")
    assert image.startswith("http://testserver/")
    assert "fill-1200x630" in image
    assert og(response, "og:image:width") == "1200"


def test_pages_without_a_cover_share_the_office_image(client, home):
    f.office_settings(office_name="东门商居联盟", share_image=f.image("分享图", size=(1200, 630)))

    response = client.get("/")

    assert og(response, "og:site_name") == "东门商居联盟"
    assert og(response, "og:type") == "website"
    assert og(response, "og:image").startswith("http://testserver/")


def test_no_og_image_without_cover_or_share_image(client, home):
    article = f.news(title="没有图")

    response = client.get(article.url)

    assert og(response, "og:title") == "没有图"
    assert og(response, "og:image") is None
