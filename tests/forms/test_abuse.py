"""Abuse protection of the public forms: CSRF, honeypot, minimum fill time, per-client rate limits."""

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
import redis
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from forms import abuse
from forms.models import CaseCategory, GrievanceReport
from forms.views import TRACK_LIMIT
from tests.forms.test_report_wizard import PREFIX, key_of, place, post, walk  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
REDIS_URL = "redis://127.0.0.1:6379/15"
WIZARD_SESSION_KEY = f"wizard_{PREFIX}"


def walk_to_review(client, place, key, extra=None):  # noqa: F811
    """Every step but the final one; `extra` is added to each post (e.g. a filled honeypot)."""
    extra = extra or {}
    category = CaseCategory.objects.get(slug="noise")
    steps = [
        ("category", {"category": category.pk}),
        ("location", {"community": place["community"].pk, "grid": place["grid"].pk, "address": "幸福里 3 号楼"}),
        ("details", {"description": "楼下烧烤店每晚十一点后还在放音乐"}),
        ("contact", {"name": "王秀兰", "mobile": "13812345678", "consent": "on"}),
    ]
    for step, data in steps:
        payload = {f"{PREFIX}-current_step": step, "submission_key": key, **extra}
        payload.update({f"{step}-{k}": v for k, v in data.items()})
        response = client.post("/report/", payload)
        assert response.status_code == 200, response.content.decode()[:500]


def submit_review(client, key, extra=None):
    payload = {f"{PREFIX}-current_step": "review", "submission_key": key, "review-confirm": "on", **(extra or {})}
    return client.post("/report/", payload)


def age_wizard(client, seconds):
    """Pretend the wizard was started `seconds` earlier (the session keeps its start time)."""
    session = client.session
    data = session[WIZARD_SESSION_KEY]
    data["extra_data"][abuse.STARTED_KEY] -= seconds
    session[WIZARD_SESSION_KEY] = data
    session.save()


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/report/", "/track/"])
def test_post_without_csrf_token_is_refused(place, path):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    response = client.post(path, {"reference": "SJ-20261122-0001", "mobile_last4": "5678"})
    assert response.status_code == 403
    assert GrievanceReport.objects.count() == 0


def test_wizard_form_carries_the_csrf_token(place):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in client.get("/report/").content.decode()


# --- honeypot -----------------------------------------------------------------------------------


def test_every_step_has_a_hidden_honeypot(client, place):  # noqa: F811
    key = key_of(client)
    pages = [client.get("/report/").content.decode()]
    category = CaseCategory.objects.get(slug="noise")
    pages.append(post(client, "category", {"category": category.pk}, key).content.decode())
    for page in pages:
        assert 'name="website"' in page and 'tabindex="-1"' in page and 'autocomplete="off"' in page
        # Moved off screen by the .honeypot class (site.css): the CSP forbids inline styles.
        assert '<div class="honeypot" aria-hidden="true">' in page


def test_filled_honeypot_looks_like_success_but_stores_nothing(client, place):  # noqa: F811
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key, {"website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert GrievanceReport.objects.count() == 0
    # No reference is shown; the thank-you page sends the bot back to the start.
    assert client.get("/report/thanks/")["Location"] == "/report/"


def test_honeypot_filled_on_an_earlier_step_is_remembered(client, place):  # noqa: F811
    key = key_of(client)
    walk_to_review(client, place, key, extra={"website": "cheap pills"})
    response = submit_review(client, key)
    assert response.status_code == 302 and GrievanceReport.objects.count() == 0


def test_empty_honeypot_is_a_normal_submission(client, place):  # noqa: F811
    key = key_of(client)
    walk_to_review(client, place, key, extra={"website": ""})
    assert submit_review(client, key).status_code == 302 and GrievanceReport.objects.count() == 1


# --- minimum fill time ----------------------------------------------------------------------------


@override_settings(INTAKE_MIN_FILL_SECONDS=8)
def test_too_fast_is_refused_and_entries_are_kept(client, place):  # noqa: F811
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key)
    text = response.content.decode()
    assert response.status_code == 200 and "您提交得太快了" in text
    assert GrievanceReport.objects.count() == 0
    assert "幸福里 3 号楼" in text  # the review still shows what was entered
    age_wizard(client, 9)
    response = submit_review(client, key)
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert GrievanceReport.objects.get().address == "幸福里 3 号楼"


@override_settings(INTAKE_MIN_FILL_SECONDS=8)
def test_restart_resets_the_clock(client, place):  # noqa: F811
    key = key_of(client)
    age_wizard(client, 60)
    client.get("/report/?restart=1")
    key = client.get("/report/").context["submission_key"]
    walk_to_review(client, place, key)
    assert "您提交得太快了" in submit_review(client, key).content.decode()


def test_too_fast_unit():
    with override_settings(INTAKE_MIN_FILL_SECONDS=8):
        assert abuse.too_fast(100.0, now=107.9)
        assert not abuse.too_fast(100.0, now=108.0)
        assert not abuse.too_fast(None, now=108.0)
    with override_settings(INTAKE_MIN_FILL_SECONDS=0):
        assert not abuse.too_fast(100.0, now=100.0)


# --- rate limits ------------------------------------------------------------------------------


@override_settings(INTAKE_SUBMISSION_LIMIT=2)
def test_completed_submissions_are_limited_per_client(place):  # noqa: F811
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert walk(client, place, key_of(client), photo=False).status_code == 302
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key)
    assert response.status_code == 429 and "提交次数过多" in response.content.decode()
    assert GrievanceReport.objects.count() == 2
    # Another address is counted on its own.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert walk(other, place, key_of(other), photo=False).status_code == 302
    assert GrievanceReport.objects.count() == 3


@override_settings(INTAKE_SUBMISSION_LIMIT=1)
def test_forged_forwarded_for_does_not_escape_the_limit(place):  # noqa: F811
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert walk(client, place, key_of(client), photo=False).status_code == 302
    key = key_of(client)
    walk_to_review(client, place, key)
    response = client.post(
        "/report/",
        {f"{PREFIX}-current_step": "review", "submission_key": key, "review-confirm": "on"},
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429 and GrievanceReport.objects.count() == 1


def test_track_lookups_limited_per_ip(place):  # noqa: F811
    first, second = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(TRACK_LIMIT):
        first.post("/track/", {"reference": "SJ-20990101-0001", "mobile_last4": "0000"})
    response = first.post("/track/", {"reference": "SJ-20990101-0001", "mobile_last4": "0000"})
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()
    assert second.post("/track/", {"reference": "SJ-20990101-0001", "mobile_last4": "0000"}).status_code == 200


def request_from(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    "proxies,remote,forwarded,expected",
    [
        (0, "203.0.113.7", "192.0.2.1", "203.0.113.7"),  # no proxy: the header is the client's own words
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # our proxy appended the real peer
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # not through the proxy
        (2, "10.0.0.3", "203.0.113.7", "10.0.0.3"),  # fewer hops than proxies: believe nothing
        (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_only_our_proxies(proxies, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert abuse.client_ip(request_from(remote, forwarded)) == expected


def test_client_key_groups_ipv6_by_64_and_hides_the_address():
    a = abuse.client_key(request_from("2001:db8:1:2::1"))
    b = abuse.client_key(request_from("2001:db8:1:2:ffff::9"))
    c = abuse.client_key(request_from("2001:db8:1:3::1"))
    assert a == b != c
    assert "2001" not in a and "203.0.113.7" not in abuse.client_key(request_from("203.0.113.7"))


# --- shared across processes: Redis -------------------------------------------------------------


def redis_caches(prefix):
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": prefix,
        }
    }


@pytest.fixture
def redis_prefix():
    # Fails, never skips: the limit must be proven against the cache production uses.
    assert redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping(), "Redis at 127.0.0.1:6379 unreachable"
    prefix = f"shangju-abuse-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def hits_in_subprocess(prefix, remote, count):
    """Count `count` hits from another Python process with its own Redis connection."""
    script = (
        "import json, sys, django\n"
        "django.setup()\n"
        "from django.test import RequestFactory, override_settings\n"
        "from forms.abuse import rate_limited\n"
        "with override_settings(CACHES=json.loads(sys.argv[1])):\n"
        "    request = RequestFactory().post('/', REMOTE_ADDR=sys.argv[2])\n"
        "    print(json.dumps([rate_limited(request, 'shared', 5, 60) for _ in range(int(sys.argv[3]))]))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(redis_caches(prefix)), remote, str(count)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_limit_is_shared_between_processes_through_redis(redis_prefix):
    request = request_from("203.0.113.7")
    with override_settings(CACHES=redis_caches(redis_prefix)):
        assert [abuse.rate_limited(request, "shared", 5, 60) for _ in range(3)] == [False] * 3
        # Another process (another app server) continues the same count...
        assert hits_in_subprocess(redis_prefix, "203.0.113.7", 3) == [False, False, True]
        # ...and this one sees the hits it made.
        assert abuse.rate_limited(request, "shared", 5, 60)
        # A different client is counted separately, in both processes.
        assert hits_in_subprocess(redis_prefix, "198.51.100.20", 1) == [False]
        assert not abuse.rate_limited(request_from("198.51.100.21"), "shared", 5, 60)


def test_parallel_hits_through_redis_are_all_counted(redis_prefix):
    request = request_from("203.0.113.7")
    results = []
    with override_settings(CACHES=redis_caches(redis_prefix)):
        barrier = threading.Barrier(20)

        def hit():
            # Each thread has its own cache client (Django keeps one per thread).
            barrier.wait(timeout=30)
            results.append(abuse.rate_limited(request, "parallel", 10, 60))

        threads = [threading.Thread(target=hit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results.count(False) == 10 and results.count(True) == 10
