"""The anonymous page cache: hits cost no query, and no visitor sees a stale page after a change."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliance.models import Merchant
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def site(home):
    factories.news_index()
    factories.notice_index()
    factories.honour_index()
    # Created on first use otherwise, and its creation (rightly) empties the cache.
    factories.office_settings()
    return home


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_second_visit_is_a_hit_with_no_query(client, site, django_assert_num_queries):
    factories.news(title="夜市延长营业到十点")
    first = fetch(client, "/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = fetch(client, "/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "夜市延长营业到十点" in second.content.decode()
    # The headers the page was served with come back too.
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("url", ["/", "/news/", "/notices/", "/honour-rolls/", "/merchants/", "/search/?q=集市"])
def test_every_public_listing_is_cached(client, site, url):
    fetch(client, url)
    assert fetch(client, url)["X-Page-Cache"] == "hit"


def test_publishing_a_news_article_shows_it_at_once_everywhere(client, site):
    factories.news(title="旧闻一则")
    for url in ("/", "/news/", "/feeds/news/"):
        fetch(client, url)
        assert fetch(client, url)["X-Page-Cache"] == "hit"

    article = factories.news(title="联盟新增十家会员商户")

    for url in ("/", "/news/", "/feeds/news/"):
        assert "联盟新增十家会员商户" in fetch(client, url).content.decode(), url
    assert "联盟新增十家会员商户" in fetch(client, article.url).content.decode()


def test_unpublishing_removes_the_article_from_cached_pages(client, site):
    article = factories.news(title="即将撤下的通知")
    assert "即将撤下的通知" in fetch(client, "/news/").content.decode()
    fetch(client, article.url)

    article.unpublish()

    assert "即将撤下的通知" not in fetch(client, "/news/").content.decode()
    assert client.get(article.url).status_code == 404


def test_a_draft_change_is_not_shown_and_its_publication_is(client, site):
    article = factories.news(title="集市改期通知")
    fetch(client, article.url)

    article.title = "集市改期通知（更新）"
    revision = article.save_revision()
    # A draft is not public: the cached page stays right.
    assert "（更新）" not in fetch(client, article.url).content.decode()

    revision.publish()
    assert "集市改期通知（更新）" in fetch(client, article.url).content.decode()


def test_scheduled_publishing_empties_the_cache(client, site):
    article = factories.news(title="定时发布的动态", live=False)
    article.go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    article.save_revision(approved_go_live_at=article.go_live_at)
    fetch(client, "/news/")
    assert "定时发布的动态" not in fetch(client, "/news/").content.decode()

    call_command("publish_scheduled")

    assert "定时发布的动态" in fetch(client, "/news/").content.decode()


def test_notice_dates_follow_publish_rule_edits_and_unpublish_with_both_caches_on(client, site, settings):
    """The stored occurrences (bulletins/occurrences.py) under the page cache and the content cache."""
    settings.CONTENT_CACHE_SECONDS = 300
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    for url in ("/", "/notices/"):
        fetch(client, url)
        assert fetch(client, url)["X-Page-Cache"] == "hit"

    notice = factories.notice(title="周末便民集市", start=start, repeat="weekly", repeat_weekday=start.weekday())
    for url in ("/", "/notices/"):
        assert "周末便民集市" in fetch(client, url).content.decode(), url
    assert "每周" in fetch(client, "/notices/").content.decode()

    notice.repeat = ""
    notice.title = "改为一次的集市"
    notice.save_revision().publish()
    for url in ("/", "/notices/"):
        content = fetch(client, url).content.decode()
        assert "周末便民集市" not in content and content.count("改为一次的集市") == 1, url

    notice.unpublish()
    for url in ("/", "/notices/"):
        assert "改为一次的集市" not in fetch(client, url).content.decode(), url


def test_a_merchant_change_shows_in_the_directory_and_its_page(client, site):
    shop = factories.merchant(name="老王面馆")
    fetch(client, "/merchants/")
    fetch(client, f"/merchants/{shop.pk}/")

    shop.name = "老王牛肉面馆"
    shop.save()
    assert "老王牛肉面馆" in fetch(client, "/merchants/").content.decode()
    assert "老王牛肉面馆" in fetch(client, f"/merchants/{shop.pk}/").content.decode()

    shop.membership_status = Merchant.Status.WITHDRAWN
    shop.save()
    assert "老王牛肉面馆" not in fetch(client, "/merchants/").content.decode()


def test_site_settings_change_shows_in_the_footer(client, site):
    factories.office_settings(hotline="010-12345678")
    assert "010-12345678" in fetch(client, "/").content.decode()
    factories.office_settings(hotline="010-87654321")
    assert "010-87654321" in fetch(client, "/").content.decode()


def test_large_text_visitors_get_their_own_copy(client, site):
    normal = fetch(client, "/")
    client.cookies["text_size"] = "large"
    large = fetch(client, "/")
    assert large["X-Page-Cache"] == "miss"
    assert 'class="text-large"' in large.content.decode()
    assert 'class="text-large"' not in normal.content.decode()
    assert fetch(client, "/")["X-Page-Cache"] == "hit"


def test_signed_in_staff_never_get_or_fill_the_cache(client, site):
    fetch(client, "/")
    editor = factories.editor()
    client.force_login(editor)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    # The editor's page (with the Wagtail user bar) was not stored for anonymous visitors.
    assert "wagtail-userbar" in response.content.decode()
    client.logout()
    anonymous = fetch(client, "/")
    assert anonymous["X-Page-Cache"] == "hit"
    assert "wagtail-userbar" not in anonymous.content.decode()


@pytest.mark.parametrize("url", ["/report/", "/apply/", "/track/", "/admin/login/", "/healthz/"])
def test_forms_personal_pages_and_the_admin_are_never_cached(client, site, url):
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_a_page_that_sets_a_cookie_or_fails_is_not_stored(client, site):
    # A 404 is never stored: the page may be published a minute later.
    assert client.get("/no-such-page/").status_code == 404
    factories.standard_page(title="稍后发布的页面", slug="no-such-page")
    assert "稍后发布的页面" in fetch(client, "/no-such-page/").content.decode()


def test_visitors_with_other_cookies_bypass_the_cache(client, site, settings):
    fetch(client, "/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert "X-Page-Cache" not in client.get("/")
