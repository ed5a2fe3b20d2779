"""What browsers and a proxy or CDN in front may keep: Cache-Control on every response, and
validators (ETag, Last-Modified) with 304 answers for the feeds, calendar files and the sitemap.

Cache-Control follows the one decision of portal/pagecache.py (`is_shareable`): what the anonymous
page cache may give any visitor, a shared cache may too.

- shareable (an anonymous GET with no cookie but the text-size or CSRF one, no CSRF token in the
  page, no Set-Cookie): `public, max-age=HTTP_CACHE_MAX_AGE, s-maxage=HTTP_CACHE_S_MAXAGE,
  stale-while-revalidate=HTTP_CACHE_STALE_WHILE_REVALIDATE`. Browsers keep a page briefly; a proxy
  keeps it longer and serves it stale while it fetches a fresh copy. A publish empties our own
  caches at once, but not a proxy's: s-maxage is how late a change may reach visitors behind one.
- personal (the admin, the wizards, tracking and /my/ pages) or showing a flash message:
  `private, no-store`, so no copy survives on a shared computer.
- everything else (signed in, a form with a CSRF token, a response setting a cookie, errors and
  redirects): `private, no-cache`.

A view that set its own Cache-Control keeps it (robots.txt, never_cache, no-store downloads), unless
it says public while setting a cookie. `Vary: Cookie` everywhere, since the text-size cookie and a
session change the page; `Vary: Accept-Language` is dropped while the site speaks one language (the
LocaleMiddleware adds it, but every visitor gets the same Chinese page).

Validators come from the content generation (pagecache.current_generation: the time of the last
change to anything public pages show), not from the body: a calendar file carries the time it was
made (DTSTAMP), so two copies of the same content never hash alike. Unpublishing or deleting moves
the generation too, where max(last_published_at) would not. HTTP_CONDITIONAL_GET turns them off
where the generation is not shared by every process (production without Redis); Django's
ConditionalGetMiddleware then still answers 304 from a hash of the body where the body allows.
With Redis down there is no generation to read: no validators, every answer is a 200.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from .pagecache import PERSONAL_PREFIXES, current_generation, is_shareable

PUBLIC_STATUSES = (200, 304)


def _configured(name, default):
    return int(getattr(settings, name, default))


def _replace_cache_control(response, **directives):
    del response["Cache-Control"]
    patch_cache_control(response, **directives)


def _shows_messages(request):
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and (getattr(storage, "used", False) or getattr(storage, "_queued_messages", None)))


def _drop_vary(response, header):
    if not response.has_header("Vary"):
        return
    kept = [value.strip() for value in response["Vary"].split(",") if value.strip().lower() != header.lower()]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


def set_cache_headers(request, response):
    """Cache-Control and Vary for one response (see the module docstring)."""
    own = response.get("Cache-Control", "")
    if own:
        if response.cookies and "private" not in own and "no-store" not in own:
            patch_cache_control(response, private=True)  # drops "public"
    elif request.path.startswith(PERSONAL_PREFIXES) or _shows_messages(request):
        _replace_cache_control(response, private=True, no_store=True)
    elif response.status_code in PUBLIC_STATUSES and is_shareable(request, response):
        _replace_cache_control(
            response,
            public=True,
            max_age=_configured("HTTP_CACHE_MAX_AGE", 60),
            s_maxage=_configured("HTTP_CACHE_S_MAXAGE", 300),
            stale_while_revalidate=_configured("HTTP_CACHE_STALE_WHILE_REVALIDATE", 60),
        )
    else:
        _replace_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    if len(settings.LANGUAGES) == 1:
        _drop_vary(response, "Accept-Language")
    return response


class CacheControlMiddleware:
    """Outside the page cache, so a page served from it gets the same headers as a fresh one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return set_cache_headers(request, self.get_response(request))


# --- Validators from the content generation ---------------------------------------------------


def _generation():
    if not getattr(settings, "HTTP_CONDITIONAL_GET", True):
        return None
    return current_generation()


def content_etag(request, *args, **kwargs):
    """A weak ETag: the same content, though a calendar's DTSTAMP differs from copy to copy."""
    generation = _generation()
    return None if generation is None else f'W/"g{generation}"'


def content_last_modified(request, *args, **kwargs):
    generation = _generation()
    if generation is None:
        return None
    return datetime.datetime.fromtimestamp(generation // 1_000_000_000, tz=datetime.UTC)


def conditional(view):
    """`view` behind Django's `condition`, with the content generation as its validators.

    A view's own Last-Modified (Django's sitemap sends the newest lastmod) is replaced: it does not
    move when a page is unpublished, so a reader sending If-Modified-Since would keep a stale copy.
    """

    @wraps(view)
    def without_own_validators(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header in ("ETag", "Last-Modified"):
            if response.has_header(header):
                del response[header]
        return response

    return condition(etag_func=content_etag, last_modified_func=content_last_modified)(without_own_validators)
