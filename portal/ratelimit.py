"""Per-client counters in the shared cache: who the client is, and how often it came.

The client is REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many reverse proxies of
ours append to X-Forwarded-For; only the address our outermost proxy saw is believed. Counters
live in the cache (Redis in production) with atomic add/incr, so every app server counts
together. Used by the public forms (forms/abuse.py), tracking, sign-in by SMS code, the shop desk,
the admin login throttle and the password reset; `target_key` counts guesses at one target from
every client together.

When the counter store cannot answer (Redis down or hung: portal/sharedcache.py), counting raises
CountersUnavailable and the caller refuses what it was guarding with BUSY_MESSAGE: fail closed,
for logins and submissions alike, so an outage of Redis never opens the door to guessing or floods.
"""

import ipaddress

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .sharedcache import CacheUnavailable, counters

# What a person is told when their login or submission cannot be counted right now.
BUSY_MESSAGE = _("系统繁忙，请稍后再试。")
# Retry-After for those refusals: about how long a process leaves a failed Redis alone.
BUSY_RETRY_AFTER = 30


class CountersUnavailable(Exception):
    """The counters cannot be read or written now: refuse the guarded action (with BUSY_MESSAGE)."""


def client_ip(request):
    """The client's address, believing X-Forwarded-For only as far as our own proxies go."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        # Each of our proxies appends the address it received from; entries further left
        # were written by the client and could say anything.
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
            if _valid_ip(candidate):
                return candidate
    return remote


def _valid_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_key(request):
    """A stable, non-reversible key for the client: IPv6 by /64, since one host holds a whole /64."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address or "unknown"
    else:
        network = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    # Hashed so the cache (Redis) holds no IP addresses.
    return salted_hmac("portal.ratelimit.client", network).hexdigest()[:32]


def count_hit(key, window):
    """Add one to a counter that lives `window` seconds from its first hit; returns the new count.

    add() creates the key only if missing and incr() is atomic in Redis and locmem, so parallel
    requests on different servers never lose a hit. Raises CountersUnavailable.
    """
    store = counters()
    try:
        store.add(key, 0, window)
        try:
            return store.incr(key)
        except ValueError:
            # The key expired between add and incr: this hit opens a new window.
            if store.add(key, 1, window):
                return 1
            return store.incr(key)
    except CacheUnavailable as error:
        raise CountersUnavailable(key.split(":", 1)[0]) from error


def read_count(key):
    """The counter's current value (0 when absent). Raises CountersUnavailable."""
    try:
        return counters().get(key) or 0
    except CacheUnavailable as error:
        raise CountersUnavailable(key.split(":", 1)[0]) from error


def forget(key):
    """Drop a counter (a success clears earlier failures); when the store is down it stays, harmlessly."""
    try:
        counters().delete(key)
    except CacheUnavailable:
        pass


def rate_limited(request, scope, limit, window):
    """Count this request for the client in `scope`; True once it is over `limit` per `window`.

    Raises CountersUnavailable when the count cannot be kept: the caller refuses (BUSY_MESSAGE).
    """
    return count_hit(f"ratelimit:{scope}:{client_key(request)}", window) > limit


def target_key(scope, value):
    """A counter for one thing being guessed at (a reference, an address), from any client; hashed,
    and counted alike whether or not the thing exists, so the counter is no oracle."""
    digest = salted_hmac(f"portal.ratelimit.target.{scope}", (value or "").strip().casefold()).hexdigest()[:32]
    return f"ratelimit:{scope}:target:{digest}"


def exhausted(key, limit):
    """True once the counter at `key` has reached `limit` (read only; count_hit adds).

    Raises CountersUnavailable, like every count here.
    """
    return read_count(key) >= limit
