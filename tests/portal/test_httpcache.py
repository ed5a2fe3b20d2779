"""What browsers and a proxy in front may keep: Cache-Control per page and visitor, and 304s for
feeds, calendars and the sitemap that stop the moment content changes."""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.utils.http import http_date
from django.views.decorators.cache import cache_control

from forms.models import QuestionnairePage
from portal import pagecache
from portal.httpcache import set_cache_headers
from tests import factories
from tests.accounts.helpers import sign_in
from tests.factories.site import every_public_page

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, s-maxage=300, stale-while-revalidate=60"
PUBLIC_PAGES = [
    "home",
    "standard page",
    "news index",
    "news page",
    "notice index",
    "notice page",
    "honour roll index",
    "honour roll",
    "merchant directory",
    "merchant detail",
    "search",
]


@pytest.fixture
def pages(home):
    return every_public_page()


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.mark.parametrize("what", PUBLIC_PAGES)
@pytest.mark.parametrize("page_cache", [0, 300])
def test_an_anonymous_visitor_gets_pages_a_proxy_may_keep(client, pages, settings, what, page_cache):
    settings.PAGE_CACHE_SECONDS = page_cache
    for _ in range(2):  # the second from the page cache when it is on: the same headers
        response = client.get(pages[what])
        assert response.status_code == 200, what
        assert response["Cache-Control"] == PUBLIC, what
        assert "cookie" in vary(response)
        # One language for everyone: the LocaleMiddleware's Vary would only split a proxy's copies.
        assert "accept-language" not in vary(response)


def test_the_lifetimes_come_from_the_settings(client, pages, settings):
    settings.HTTP_CACHE_MAX_AGE, settings.HTTP_CACHE_S_MAXAGE, settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 0, 600, 30
    assert directives(client.get("/")) == {"public", "max-age=0", "s-maxage=600", "stale-while-revalidate=30"}


@pytest.mark.parametrize("what", ["report wizard", "apply wizard", "track"])
def test_forms_and_tracking_are_never_stored(client, pages, what):
    response = client.get(pages[what])
    assert "no-store" in directives(response) and "private" in directives(response)
    assert "public" not in directives(response)


@pytest.mark.parametrize("url", ["/admin/login/", "/my/sign-in/"])
def test_admin_and_own_pages_are_never_stored(client, pages, url):
    response = client.get(url)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


@pytest.mark.parametrize("what", PUBLIC_PAGES)
def test_a_signed_in_resident_gets_private_pages(client, pages, what):
    factories.person(mobile="13812345678")
    sign_in(client, "13812345678")
    response = client.get(pages[what])
    assert response.status_code == 200
    assert "private" in directives(response) and "public" not in directives(response)
    assert "cookie" in vary(response)


@pytest.mark.parametrize("what", ["home", "news page", "merchant directory"])
def test_signed_in_staff_get_private_pages(client, pages, what):
    client.force_login(factories.editor())
    response = client.get(pages[what])
    assert response.status_code == 200
    assert {"private", "no-cache"} <= directives(response)
    assert "wagtail-userbar" in response.content.decode()


def test_my_pages_are_never_stored_for_a_resident(client, pages):
    factories.person(mobile="13812345678")
    sign_in(client, "13812345678")
    response = client.get("/my/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_form_error_is_never_kept(client, pages):
    # A sign-in with a wrong code: the form with its error, its CSRF token and session.
    factories.person(mobile="13812345678")
    client.post("/my/sign-in/", {"mobile": "13812345678"})
    response = client.post("/my/sign-in/code/", {"code": "000000"})
    assert response.status_code == 200
    assert "public" not in directives(response)
    assert {"private", "no-store"} <= directives(response)


def test_a_page_with_a_csrf_form_is_private(client, home):
    factories.standard_page(title="关于")
    page = factories.add_page(home, _questionnaire())
    response = client.get(page.url)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert {"private", "no-cache"} <= directives(response)


def _questionnaire():
    return QuestionnairePage(title="居民满意度调查", slug="survey")


def test_a_flash_message_is_never_kept(client, pages, rf):
    request = rf.get("/news/")
    request._messages = CookieStorage(request)
    request._messages.add(25, "已保存")
    response = set_cache_headers(request, _ok())
    assert {"private", "no-store"} <= directives(response)


def _ok():
    return HttpResponse("ok")


def test_a_response_setting_a_cookie_is_private_even_if_the_view_said_public(rf):
    @cache_control(public=True, max_age=600)
    def view(request):
        response = _ok()
        response.set_cookie("text_size", "large")
        return response

    request = rf.get("/text-size/")
    response = set_cache_headers(request, view(request))
    assert "private" in directives(response) and "public" not in directives(response)


def test_a_view_keeps_its_own_cache_control(client, pages):
    assert client.get("/robots.txt")["Cache-Control"] == "max-age=86400, public"


def test_not_found_is_not_kept_by_a_proxy(client, pages):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert {"private", "no-cache"} <= directives(response)


# --- Validators and 304 -----------------------------------------------------------------------


@pytest.fixture
def feeds(home):
    factories.news_index()
    factories.notice_index()
    factories.news(title="旧闻一则")
    notice = factories.notice(title="东门便民集市", repeat="weekly", repeat_weekday=5)
    return {
        "rss": "/feeds/news/",
        "atom": "/feeds/news/atom/",
        "calendar": "/notices/calendar.ics",
        "event": notice.url + "event.ics",
        "sitemap": "/sitemap.xml",
    }


@pytest.mark.parametrize("what", ["rss", "atom", "calendar", "event", "sitemap"])
@pytest.mark.parametrize("page_cache", [0, 300])
def test_etag_answers_304_until_a_publish(client, feeds, settings, what, page_cache):
    settings.PAGE_CACHE_SECONDS = page_cache
    url = feeds[what]
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert directives(first) == set(PUBLIC.split(", "))

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert directives(again) == set(PUBLIC.split(", "))

    factories.news(title="联盟新增十家会员商户")

    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    if what in ("rss", "atom"):
        assert "联盟新增十家会员商户" in after.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


@pytest.mark.parametrize("what", ["rss", "calendar", "sitemap"])
def test_if_modified_since_answers_304_until_an_unpublish(client, feeds, monkeypatch, what):
    clock = iter(range(1_800_000_000, 1_900_000_000, 10))
    monkeypatch.setattr(pagecache.time, "time_ns", lambda: next(clock) * 1_000_000_000)
    pagecache.new_generation()
    url = feeds[what]
    first = client.get(url)
    modified = first["Last-Modified"]
    assert modified == http_date(1_800_000_000)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    # Unpublishing moves nothing's last_published_at, but it is a change all the same.
    factories.news(title="即将撤下").unpublish()

    after = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert after.status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"]).status_code == 304


def test_a_registry_change_ends_the_304s(client, feeds):
    first = client.get(feeds["calendar"])
    factories.merchant(name="老王面馆")
    assert client.get(feeds["calendar"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_without_a_shared_generation_there_are_no_generation_validators(client, feeds, settings):
    settings.HTTP_CONDITIONAL_GET = False
    response = client.get(feeds["calendar"])
    assert response.status_code == 200
    assert not response.get("ETag", "").startswith('W/"g')
    assert "Last-Modified" not in response
