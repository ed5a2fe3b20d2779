"""Whole-page cache for anonymous visitors, emptied whenever published content changes.

Every stored page carries the content *generation* it was rendered under. Publishing, unpublishing,
moving or deleting a page, and any change to what public pages show from the registry (merchants,
communities, grids, site settings, images...) starts a new generation, so every page rendered before
it is ignored from then on. One counter instead of a list of URLs per change: a single news article
appears on the home page, the news index, its tag pages, related articles, feeds, the sitemap and
search results, and a list would miss one sooner or later.

A hit costs one cache round trip (the generation and the page are read together) and no database
query: the middleware sits before sessions, CSRF and authentication. Only plain anonymous GETs are
served or stored: no session cookie, no cookie other than the text-size and CSRF ones, and never a
response that sets a cookie or used the visitor's CSRF token.

What counts as a change is registered, not hard-wired: each app calls `invalidate_on(Model, ...)`
in its AppConfig.ready() for the models of its own that public pages show, and portal's own app
config wires Wagtail's pages (publish, unpublish, move, delete) and the framework models pages
depend on (sites, view restrictions, redirects, tags, images, documents).

The cache must be shared by every app server process (Redis in production); production settings
turn the page cache off when REDIS_URL is not set, since per-process memory caches could not all be
emptied by one publish. When Redis is down or hung every read here is a miss and every write is
dropped (portal/sharedcache.py): pages render from the database, and a new generation starts when
Redis answers again, so a publish made meanwhile is not hidden by pages cached before it.
"""

import contextvars
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "pagecache:generation"

# Personal or carrying a secret: the admin, the wizards (session and CSRF token), tracking pages,
# residents' own pages. Never cached here, and no browser or proxy keeps them (portal/httpcache.py).
PERSONAL_PREFIXES = ("/admin/", "/report/", "/apply/", "/track/", "/my/")
# Never cached: those, the text-size switch (it sets a cookie), documents (Wagtail serves them with
# its own checks) and the health check the benchmark compares against.
EXCLUDED_PREFIXES = (*PERSONAL_PREFIXES, "/text-size/", "/documents/", "/healthz/")


# Values that stay the same for the length of one request (the generation, the restricted
# sections): read from the cache once per request, not once per use. None outside a request,
# so management commands and tests always read afresh.
_request_memo = contextvars.ContextVar("pagecache_request_memo", default=None)


def request_memo():
    """A dict that lives as long as the current request, or None outside one."""
    return _request_memo.get()


def new_generation():
    """Start a new generation: every page stored before now is stale."""
    # A timestamp, not a counter from 1: if the key is ever evicted, a restarted counter could
    # match the generation of old pages still in the cache.
    value = time.time_ns()
    cache.set(GENERATION_KEY, value, None)
    memo = request_memo()
    if memo is not None:
        # A change made by this request (an editor publishing) is seen by the rest of it.
        memo.clear()
    return value


def current_generation():
    memo = request_memo()
    if memo is not None and "generation" in memo:
        return memo["generation"]
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    if memo is not None:
        memo["generation"] = value
    return value


def _allowed_cookies():
    return {settings.TEXT_SIZE_COOKIE, settings.CSRF_COOKIE_NAME}


def is_cacheable_request(request):
    if request.method != "GET" or request.path.startswith(EXCLUDED_PREFIXES):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # Any other cookie (a session, flash messages) may change what the page shows.
    return set(request.COOKIES) <= _allowed_cookies()


def cache_key(request):
    size = "large" if request.COOKIES.get(settings.TEXT_SIZE_COOKIE) == "large" else "normal"
    path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"pagecache:page:{request.get_host()}:{size}:{path}"


def is_shareable(request, response):
    """Whether any visitor may be given this response: the one decision behind this page cache and
    the Cache-Control a proxy or CDN in front reads (portal/httpcache.py)."""
    if not is_cacheable_request(request) or response.cookies:
        return False
    # The page embeds this visitor's CSRF token (a form): another visitor must not get it.
    if request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def is_storable(request, response):
    return response.status_code == 200 and not response.streaming and is_shareable(request, response)


class AnonymousPageCacheMiddleware:
    """Serve anonymous visitors' GETs from the shared cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.respond(request)
        finally:
            _request_memo.reset(token)

    def respond(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not is_cacheable_request(request):
            return self.get_response(request)

        key = cache_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY) or current_generation()
        request_memo()["generation"] = generation
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            _, status, headers, content = entry
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if is_storable(request, response):
            headers = [(name, value) for name, value in response.items() if name.lower() != "x-page-cache"]
            # Stored under the generation read *before* rendering: if content changed meanwhile,
            # the entry is already stale and is never served.
            cache.set(key, (generation, response.status_code, headers, response.content), seconds)
            response["X-Page-Cache"] = "miss"
        return response


def content_changed(sender=None, **kwargs):
    """Signal receiver: anything public pages show has changed."""
    new_generation()


def invalidate_on(*models, when=None):
    """Start a new generation whenever a row of one of these models is saved or deleted.

    Called by each app for the models of its own that public pages show (merchants, office
    settings...). `when(instance)` narrows it to the rows public pages show (e.g. only the points
    issued, not every spend). Idempotent: a model registered twice is connected once.
    """

    def receiver(sender, instance=None, **kwargs):
        if when is None or when(instance):
            new_generation()

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"pagecache-{model._meta.label}-{signal}")


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        content_changed()


def invalidate_on_pages():
    """Publishing, unpublishing, moving and deleting any page; scheduled publishing and workflow
    approval go through the same signals."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"pagecache-{signal}")
    # Every page model's delete: a receiver per sender would miss page types added later.
    post_delete.connect(_page_deleted, dispatch_uid="pagecache-page-deleted")
