"""The shared cache (portal/sharedcache.py) against a real Redis that goes away and comes back.

Between the cache and Redis (127.0.0.1:6379) sits a small TCP relay the test can switch off
(connections refused, open ones cut) and on again at the same address: the client under test
never knows it is not talking to Redis directly.
"""

import socket
import threading
import time
import uuid

import pytest
import redis
from django.core.cache import cache, caches
from django.test import RequestFactory

from portal import ratelimit
from portal.settings.base import redis_caches
from portal.sharedcache import Breaker, CacheUnavailable
from tests import factories as f

REDIS = ("127.0.0.1", 6379)
RETRY_AFTER = 0.3


class Relay:
    """A TCP relay to Redis on a fixed local port; `down()` refuses and cuts, `up()` serves again."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.sockets = []
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/15"

    def up(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self):
        listener, self.listener = self.listener, None
        if listener:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(REDIS, timeout=5)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass


@pytest.fixture
def relay(settings):
    assert redis.Redis(*REDIS, socket_connect_timeout=3).ping(), "Redis at 127.0.0.1:6379 unreachable"
    relay = Relay()
    relay.up()
    prefix = f"shangju-sharedcache-test-{uuid.uuid4().hex}"
    caches_ = redis_caches(relay.url, prefix=prefix, timeout=0.5)
    for alias in caches_.values():
        alias["OPTIONS"]["RETRY_AFTER"] = RETRY_AFTER
    settings.CACHES = caches_
    Breaker.reset()
    yield relay
    relay.down()
    Breaker.reset()
    client = redis.Redis(*REDIS, db=15)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_the_default_cache_misses_and_the_counters_raise_while_redis_is_away(relay):
    cache.set("greeting", "你好", 60)
    assert cache.get("greeting") == "你好"
    relay.down()

    assert cache.get("greeting", "缺省") == "缺省"  # a miss, not an error
    cache.set("greeting", "再见", 60)  # dropped
    assert cache.get_many(["greeting"]) == {}
    with pytest.raises(CacheUnavailable):
        caches["counters"].incr("anything")
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    with pytest.raises(ratelimit.CountersUnavailable):
        ratelimit.rate_limited(request, "test", 5, 60)

    relay.up()
    time.sleep(RETRY_AFTER + 0.1)
    assert cache.get("greeting") == "你好"  # Redis kept it; the dropped write never arrived
    assert ratelimit.rate_limited(request, "test", 5, 60) is False


def test_a_hung_redis_costs_one_timeout_then_nothing_until_the_retry(settings):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    Breaker.reset()
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{silent.getsockname()[1]}/0", timeout=0.5)
    try:
        started = time.monotonic()
        assert cache.get("a") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(50):
            cache.get("a")
            with pytest.raises(CacheUnavailable):
                caches["counters"].get("a")
        rest = time.monotonic() - started
    finally:
        silent.close()
        Breaker.reset()
    assert 0.4 < first < 2, first
    assert rest < 0.2, rest


@pytest.mark.django_db
def test_a_publish_while_redis_was_away_is_shown_once_it_returns(client, home, relay, settings):
    settings.PAGE_CACHE_SECONDS = 300
    f.news_index()
    f.office_settings()
    f.news(title="旧闻一则")
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    assert client.get("/news/")["X-Page-Cache"] == "hit"

    relay.down()
    f.news(title="停电期间发布的通知")  # its new content generation cannot be stored
    during = client.get("/news/")
    assert during.status_code == 200 and "停电期间发布的通知" in during.content.decode()

    relay.up()
    time.sleep(RETRY_AFTER + 0.1)
    after = client.get("/news/")
    # The page cached before the outage is never served again: the recovery started a new generation.
    assert "停电期间发布的通知" in after.content.decode()
    assert client.get("/news/")["X-Page-Cache"] == "hit"
