"""Shared pieces of public pages, kept in the cache under the content generation.

Pages rendered without the whole-page cache (signed-in staff, a resident in the middle of a form,
the first visitor after a publish) still repeat the same work: the office's settings, the footer's
pages, the restricted sections of the tree, the upcoming notices with their repeat rules expanded,
breadcrumbs, the share image, the news filters and the data every card shows (`remember_many`).
Values are plain (str, int, lists and dicts of them), never model instances or pages: unpickling
those costs more than the queries they would save.
`remember` keeps each under the generation of portal/pagecache.py, so the same changes that empty
the page cache make these stale at once. CONTENT_CACHE_SECONDS bounds what depends on the clock.

The values live in the shared cache (Redis in production), never in process memory: a publish
handled by one app server must reach every other. Without a shared cache production settings set
CONTENT_CACHE_SECONDS to 0 and everything is read from the database each time.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from wagtail.models import PageViewRestriction

from .pagecache import current_generation, request_memo

_MISSING = object()


def remember(name, compute, *vary):
    """compute(), cached for this content generation and the given vary values."""
    seconds = getattr(settings, "CONTENT_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    key = ":".join(["content", name, str(current_generation()), *map(str, vary)])
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, seconds)
    return value


def remember_many(name, keys, compute_missing, *vary):
    """{key: value} for every key, read in one round trip; compute_missing(keys) -> {key: value}
    builds the ones not cached for this content generation (in one query, for a list of cards).

    Values must be plain (str, int, dicts and lists of them): unpickling model instances costs more
    than the query they save.
    """
    keys = list(keys)
    seconds = getattr(settings, "CONTENT_CACHE_SECONDS", 0)
    if not seconds:
        return compute_missing(keys) if keys else {}
    prefix = ":".join(["content", name, str(current_generation()), *map(str, vary)])
    names = {f"{prefix}:{key}": key for key in keys}
    found = {names[cache_key]: value for cache_key, value in cache.get_many(list(names)).items()}
    missing = [key for key in keys if key not in found]
    if missing:
        computed = compute_missing(missing)
        cache.set_many({f"{prefix}:{key}": value for key, value in computed.items()}, seconds)
        found.update(computed)
    return found


def restricted_paths():
    """Tree paths of the pages with a view restriction (password, login, groups)."""
    memo = request_memo()
    if memo is not None and "restricted-paths" in memo:
        return memo["restricted-paths"]

    def compute():
        return sorted(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())

    paths = remember("restricted-paths", compute)
    if memo is not None:
        memo["restricted-paths"] = paths
    return paths


def public(queryset, path="path"):
    """queryset.public(), with the restricted sections read from the cache.

    Wagtail's public() queries the restrictions on every call, several times per page. `path`
    names the tree path to test, for rows that belong to a page (e.g. "notice__path").
    """
    condition = Q()
    for restricted in restricted_paths():
        condition |= Q(**{f"{path}__startswith": restricted})
    return queryset.exclude(condition) if condition else queryset


def rendition_values(image, spec):
    """{url, width, height} of an image's rendition, for a card kept as plain values (None without one).

    Looked up once when the card is built; Wagtail's get_rendition also writes the rendition to the
    cache on every call, which a card read from here no longer pays for.
    """
    if image is None:
        return None
    rendition = image.get_rendition(spec)
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}
