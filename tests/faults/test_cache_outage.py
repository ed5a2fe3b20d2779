"""Redis unreachable or silent under the production cache settings: pages render uncached, logins
and submissions are refused with a plain message (rate limits fail closed), nothing answers 500,
and /healthz/ says what it checked.

In-process, against a real Redis client talking to a real socket: a port where nothing listens
(connection refused) and a server that accepts and never answers (every read times out). Nothing a
visitor touches is mocked.
"""

import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casework.models import CaseCategory, GrievanceReport
from portal.sharedcache import Breaker
from tests import factories as f
from tests import wizard_driver as driver
from tests.accounts.helpers import last_code
from tests.factories.site import every_public_page
from tests.security.production import load_production
from tests.wizard_driver import REPORT, HttpResident, key_of

from .harness import Server, clean_env

pytestmark = pytest.mark.django_db

BUSY = "系统繁忙，请稍后再试"
PASSWORD = "正确的密码-2026"
MOBILE = "13812345678"


@pytest.fixture
def refusing_redis():
    """redis:// at a port bound but not listening: every connection is refused at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


@pytest.fixture
def silent_redis():
    """redis:// at a server that accepts connections and never answers (a hung Redis)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # the kernel completes the handshakes; nobody ever reads or writes
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


def use_production_caches(settings, monkeypatch, url):
    """The caches, session engine and cache lifetimes production builds for REDIS_URL=url."""
    module = load_production(monkeypatch, REDIS_URL=url)
    settings.CACHES = module.CACHES
    settings.SESSION_ENGINE = getattr(module, "SESSION_ENGINE", "django.contrib.sessions.backends.db")
    settings.PAGE_CACHE_SECONDS = module.PAGE_CACHE_SECONDS
    settings.CONTENT_CACHE_SECONDS = module.CONTENT_CACHE_SECONDS
    assert settings.PAGE_CACHE_SECONDS and settings.CONTENT_CACHE_SECONDS  # the caches are really on


@pytest.fixture(autouse=True)
def _fresh_breaker():
    # Each test finds out for itself that its Redis is away, as a fresh process would.
    Breaker.reset()
    yield
    Breaker.reset()


@pytest.fixture
def redis_down(settings, monkeypatch, refusing_redis):
    use_production_caches(settings, monkeypatch, refusing_redis)
    return refusing_redis


@pytest.fixture
def redis_hung(settings, monkeypatch, silent_redis):
    use_production_caches(settings, monkeypatch, silent_redis)
    return silent_redis


@pytest.fixture
def pages(home):
    return every_public_page()


def expected_status(what):
    return 404 if what == "not found" else 200


# --- reading: every public page renders, uncached ----------------------------------------------------


def test_every_public_page_renders_uncached_while_redis_refuses_connections(client, pages, redis_down):
    for what, url in [*pages.items(), ("feed", "/feeds/news/"), ("sitemap", "/sitemap.xml"), ("robots", "/robots.txt")]:
        response = client.get(url)
        assert response.status_code == expected_status(what), (what, url, response.status_code)
        assert response.get("X-Page-Cache") != "hit", what
    assert "老王面馆" in client.get("/merchants/").content.decode()


def test_every_public_page_renders_while_redis_hangs_and_only_the_first_waits(client, pages, redis_hung):
    timings = []
    for what, url in pages.items():
        started = time.monotonic()
        response = client.get(url)
        timings.append(time.monotonic() - started)
        assert response.status_code == expected_status(what), (what, url, response.status_code)
    # One socket timeout tells this process that Redis hangs; the pages after it do not wait again.
    assert timings[0] < 5, timings
    assert sum(timings[1:]) < 5, timings


def test_images_are_shown_while_redis_is_down(client, home, redis_down):
    # Wagtail keeps renditions in the default cache: a miss there finds or makes them in the database.
    f.news_index()
    article = f.news(title="夜市开张", feed_image=f.image(title="夜市照片"))
    for url in ("/news/", article.url, "/news/"):
        response = client.get(url)
        assert response.status_code == 200 and "夜市开张" in response.content.decode(), url
    assert "<img" in client.get("/news/").content.decode()


def test_admin_login_page_renders_while_redis_is_down(client, redis_down):
    response = client.get("/admin/login/")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


# --- logins fail closed ----------------------------------------------------------------------


def test_admin_login_is_refused_plainly_while_the_counters_are_unreachable(client, redis_down):
    get_user_model().objects.create_superuser("zhangwei", password=PASSWORD)
    response = client.post("/admin/login/", {"username": "zhangwei", "password": PASSWORD})
    text = response.content.decode()
    assert response.status_code != 500
    assert BUSY in text and 'name="password"' in text and 'value="zhangwei"' in text
    assert client.get("/admin/").status_code == 302  # not signed in


def test_no_sign_in_code_is_sent_while_the_counters_are_unreachable(client, sms_outbox, redis_down):
    response = client.post("/my/sign-in/", {"mobile": MOBILE})
    text = response.content.decode()
    assert response.status_code == 503 and BUSY in text
    assert f'value="{MOBILE}"' in text  # what they typed is kept
    assert sms_outbox == []


def test_a_sign_in_code_is_not_checked_while_the_counters_are_unreachable(
    client, sms_outbox, settings, monkeypatch, refusing_redis
):
    assert client.post("/my/sign-in/", {"mobile": MOBILE}).status_code == 302  # Redis still fine
    code = last_code(MOBILE)
    use_production_caches(settings, monkeypatch, refusing_redis)
    response = client.post("/my/sign-in/code/", {"code": code})
    assert response.status_code == 503 and BUSY in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- submissions fail closed, and keep what was typed -------------------------------------------


def test_the_report_wizard_refuses_the_final_submit_and_keeps_the_entries(
    client, settings, monkeypatch, refusing_redis
):
    community = f.community(name="东门社区", slug="dongmen")
    place = {"community": community, "grid": f.grid(community, name="第一网格")}
    category = CaseCategory.objects.get(slug="cooking_fumes")
    key = key_of(client)
    steps = driver.report_steps(place, category=category)
    driver.walk(client, REPORT, steps[:-1], key)  # up to the review step, with Redis fine

    use_production_caches(settings, monkeypatch, refusing_redis)
    refused = driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    assert refused.status_code == 503 and BUSY in refused.content.decode()
    assert "饭店排烟管正对三楼窗户" in refused.content.decode()  # the review still shows what was typed
    assert GrievanceReport.objects.count() == 0

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # Redis is back
    done = driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == REPORT.thanks
    assert GrievanceReport.objects.get().description.startswith("饭店排烟管")


def test_tracking_lookups_are_refused_plainly_while_the_counters_are_unreachable(client, redis_down):
    response = client.post("/track/", {"reference": "SJ-2026-000001", "mobile_last4": "5678"})
    assert response.status_code == 503 and BUSY in response.content.decode()
    assert 'value="SJ-2026-000001"' in response.content.decode()


def test_spend_codes_are_not_looked_up_at_the_desk_while_the_counters_are_unreachable(
    sms_outbox, settings, monkeypatch, refusing_redis
):
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    f.shop_staff(shop, f.person(name="李店员", mobile="13900002222"))
    clerk = Client()
    assert clerk.post("/my/sign-in/", {"mobile": "13900002222"}).status_code == 302
    assert clerk.post("/my/sign-in/code/", {"code": last_code("13900002222")}).status_code == 302

    use_production_caches(settings, monkeypatch, refusing_redis)
    response = clerk.post(f"/my/desk/{shop.pk}/", {"code": "12345678"})
    assert response.status_code == 503 and BUSY in response.content.decode()


# --- the health check -----------------------------------------------------------------------


def test_healthz_says_the_database_is_fine_and_the_cache_degraded(client, redis_down):
    response = client.get("/healthz/")
    text = response.content.decode()
    assert response.status_code == 200  # this node still serves: keep it in the pool
    assert "database: ok" in text and "cache: unavailable" in text
    assert response["Cache-Control"] == "no-store"


def test_healthz_says_ok_for_both_when_all_is_well(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["ok", "database: ok", "cache: ok"]


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A real server whose SQLite file cannot be opened: every page needing the database fails.
    env = clean_env(SQLITE_PATH=tmp_path / "missing" / "db.sqlite3", PRIVATE_MEDIA_ROOT=tmp_path / "private")
    with Server(env, tmp_path / "server.log") as server:
        response = HttpResident(server.port).get("/healthz/")
    assert response.status == 503, response.text
    assert response.text.splitlines()[:2] == ["unavailable", "database: unavailable"]
    assert response.header("Cache-Control") == "no-store"


def test_a_real_server_with_redis_refusing_serves_pages_and_reports_it(site, refusing_redis):
    env = {**site["env"], "REDIS_URL": refusing_redis}
    with Server(env, site["tmp"] / "server.log") as server:
        visitor = HttpResident(server.port)
        for path in ("/", "/merchants/", "/report/", "/apply/", "/track/", "/search/?q=%E9%9D%A2", "/admin/login/"):
            page = visitor.get(path)
            assert page.status in (200, 302, 503) and page.status != 500, (path, page.status, page.text[:300])
            assert "Traceback" not in page.text
        health = visitor.get("/healthz/")
        log = server.log_text()
    assert health.status == 200 and "cache: unavailable" in health.text, health.text
    assert "Traceback" not in log, log[-3000:]
