"""The shared cache (Redis) is an optimisation: when it is down or slow the site keeps serving.

`SharedRedisCache` is django-redis with two additions:

- a breaker per Redis server and process: after a failure (refused, reset, timed out) every cache
  call in this process skips Redis for RETRY_AFTER seconds, then a PING decides whether to go on. A hung Redis
  costs one socket timeout per process every few seconds instead of one per cache call (a page
  makes a dozen). The state is this process's own knowledge of its connection and never needs to
  be shared; each process finds out for itself. Opening and closing are logged once each.
- two temperaments, chosen in OPTIONS. The lenient one (the default alias: pages, content, Wagtail's
  site root paths and renditions, anything a library caches) behaves as a miss: get returns the
  default, writes are dropped, and the page renders from the database. The strict one (the
  "counters" alias: rate limits, login throttles) raises CacheUnavailable, so a caller that cannot
  count refuses plainly instead of letting everyone through (portal/ratelimit.py).

Both aliases point at the same Redis; `redis_caches()` in the settings builds them. A publish whose
write of the new content generation was dropped must still reach visitors: when the breaker closes
again the callbacks registered with `when_recovered` run (portal/pagecache.py starts a new generation).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

COUNTERS = "counters"
DEFAULT_RETRY_AFTER = 5  # seconds a process leaves Redis alone after a failure


class CacheUnavailable(Exception):
    """The strict cache could not answer (Redis refused, hung or is resting after a failure)."""


class Breaker:
    """Per server: open (skip Redis) until `reopen_at` after a failure; closed again on a success."""

    _lock = threading.Lock()
    _open_until = {}  # server location -> monotonic time the next attempt is allowed
    _recovered = []

    @classmethod
    def state(cls, server):
        """ "closed" (use Redis), "open" (skip it) or "probe" (a failure, and time to try again)."""
        until = cls._open_until.get(server)
        if until is None:
            return "closed"
        return "open" if time.monotonic() < until else "probe"

    @classmethod
    def trip(cls, server, seconds, error):
        with cls._lock:
            was_open = server in cls._open_until
            cls._open_until[server] = time.monotonic() + seconds
        if not was_open:
            logger.warning(
                "Cache at %s unreachable (%s): serving without it, retrying every %s s", server, error, seconds
            )

    @classmethod
    def succeeded(cls, server):
        if server not in cls._open_until:
            return
        with cls._lock:
            if cls._open_until.pop(server, None) is None:
                return  # another thread saw the recovery first
        logger.warning("Cache at %s reachable again", server)
        for callback in list(cls._recovered):
            callback()

    @classmethod
    def reset(cls):
        """Forget every failure (tests start each case with a clean process state)."""
        with cls._lock:
            cls._open_until.clear()


def when_recovered(callback):
    """Call `callback()` whenever a cache server this process found down answers again."""
    if callback not in Breaker._recovered:
        Breaker._recovered.append(callback)


# The client's methods that never talk to Redis: no breaker around them (close() runs at the end
# of every request, and must not fail because Redis did).
UNGUARDED = frozenset(
    {"close", "make_key", "make_pattern", "encode", "decode", "get_client", "get_client_with_index", "connect"}
    | {"disconnect", "get_next_client_index"}
)


class _GuardedClient:
    """django-redis's client behind the breaker: every method that talks to Redis passes through `guarded`."""

    def __init__(self, client, backend):
        self._client = client
        self._backend = backend

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in UNGUARDED:
            return attribute

        def call(*args, **kwargs):
            return self._backend.guarded(attribute, *args, **kwargs)

        return call


class SharedRedisCache(RedisCache):
    """django-redis behind a breaker; lenient (a miss) unless OPTIONS["STRICT"] (CacheUnavailable).

    OPTIONS also take RETRY_AFTER (seconds) besides django-redis's own, among which
    SOCKET_CONNECT_TIMEOUT and SOCKET_TIMEOUT bound how long one attempt may wait.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self._strict = bool(options.get("STRICT", False))
        self._retry_after = float(options.get("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        # django-redis's own switch: the lenient cache turns a failure into its "miss" value.
        self._ignore_exceptions = not self._strict
        self._log_ignored_exceptions = False  # the breaker logs once per outage instead
        self._breaker_key = server if isinstance(server, str) else ",".join(server)

    @property
    def client(self):
        return _GuardedClient(super().client, self)

    def guarded(self, method, *args, **kwargs):
        state = Breaker.state(self._breaker_key)
        if state == "open":
            return self._fail(None)
        if state == "probe" and not self._probe():
            return self._fail(None)
        try:
            return method(*args, **kwargs)
        except ConnectionInterrupted as interrupted:
            Breaker.trip(self._breaker_key, self._retry_after, interrupted.__cause__ or interrupted)
            return self._fail(interrupted)

    def _probe(self):
        """After a failure: PING first, so the recovery callbacks run before any value is read."""
        try:
            super().client.get_client(write=True).ping()
        except (RedisError, OSError) as error:
            Breaker.trip(self._breaker_key, self._retry_after, error)
            return False
        Breaker.succeeded(self._breaker_key)
        return True

    def _fail(self, interrupted):
        if self._strict:
            raise CacheUnavailable(f"cache at {self._breaker_key} unavailable") from interrupted
        if interrupted is not None:
            raise interrupted
        # django-redis's wrappers catch this and return their "miss" value (None, {}, False).
        raise ConnectionInterrupted(connection=None) from RedisConnectionError("breaker open")


def counters():
    """The cache that holds rate-limit counters: strict when configured (production), else the default."""
    return caches[COUNTERS] if COUNTERS in settings.CACHES else caches["default"]


def cache_status():
    """ "ok" when the counter cache answers a read now, "unavailable" otherwise (for /healthz/)."""
    try:
        counters().get("healthz:probe")
    except CacheUnavailable:
        return "unavailable"
    return "ok"
