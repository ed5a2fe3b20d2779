"""Per-client counters in the shared cache: who the client is, and how often it came.

The client is REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many reverse proxies of
ours append to X-Forwarded-For; only the address our outermost proxy saw is believed. Counters
live in the cache (Redis in production) with atomic add/incr, so every app server counts
together. Used by the public forms (forms/abuse.py), tracking, the admin login throttle and
the password reset; `target_key` counts guesses at one target from every client together.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


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
    requests on different servers never lose a hit.
    """
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add and incr: this hit opens a new window.
        if cache.add(key, 1, window):
            return 1
        return cache.incr(key)


def rate_limited(request, scope, limit, window):
    """Count this request for the client in `scope`; True once it is over `limit` per `window`."""
    return count_hit(f"ratelimit:{scope}:{client_key(request)}", window) > limit


def target_key(scope, value):
    """A counter for one thing being guessed at (a reference, an address), from any client; hashed,
    and counted alike whether or not the thing exists, so the counter is no oracle."""
    digest = salted_hmac(f"portal.ratelimit.target.{scope}", (value or "").strip().casefold()).hexdigest()[:32]
    return f"ratelimit:{scope}:target:{digest}"


def exhausted(key, limit):
    """True once the counter at `key` has reached `limit` (read only; count_hit adds)."""
    return (cache.get(key) or 0) >= limit
