"""Per-client counters (portal/ratelimit.py): who the client is behind our proxies, and counts
shared by every app server through Redis."""

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest
import redis
from django.conf import settings
from django.test import RequestFactory, override_settings

from portal import ratelimit

REDIS_URL = "redis://127.0.0.1:6379/15"


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
        assert ratelimit.client_ip(request_from(remote, forwarded)) == expected


def test_client_key_groups_ipv6_by_64_and_hides_the_address():
    a = ratelimit.client_key(request_from("2001:db8:1:2::1"))
    b = ratelimit.client_key(request_from("2001:db8:1:2:ffff::9"))
    c = ratelimit.client_key(request_from("2001:db8:1:3::1"))
    assert a == b != c
    assert "2001" not in a and "203.0.113.7" not in ratelimit.client_key(request_from("203.0.113.7"))


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
        "from portal.ratelimit import rate_limited\n"
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


@pytest.mark.subprocess
def test_limit_is_shared_between_processes_through_redis(redis_prefix):
    request = request_from("203.0.113.7")
    with override_settings(CACHES=redis_caches(redis_prefix)):
        assert [ratelimit.rate_limited(request, "shared", 5, 60) for _ in range(3)] == [False] * 3
        # Another process (another app server) continues the same count...
        assert hits_in_subprocess(redis_prefix, "203.0.113.7", 3) == [False, False, True]
        # ...and this one sees the hits it made.
        assert ratelimit.rate_limited(request, "shared", 5, 60)
        # A different client is counted separately, in both processes.
        assert hits_in_subprocess(redis_prefix, "198.51.100.20", 1) == [False]
        assert not ratelimit.rate_limited(request_from("198.51.100.21"), "shared", 5, 60)


def test_parallel_hits_through_redis_are_all_counted(redis_prefix):
    request = request_from("203.0.113.7")
    results = []
    with override_settings(CACHES=redis_caches(redis_prefix)):
        barrier = threading.Barrier(20)

        def hit():
            # Each thread has its own cache client (Django keeps one per thread).
            barrier.wait(timeout=30)
            results.append(ratelimit.rate_limited(request, "parallel", 10, 60))

        threads = [threading.Thread(target=hit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results.count(False) == 10 and results.count(True) == 10
