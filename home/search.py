"""Site search across pages and member merchants, with Chinese-aware matching.

The database backend finds what matches (portal.tokenize explains the tokens); the
ordering is ours, so SQLite and PostgreSQL list results in the same order even though
their relevance scores differ:

1. results holding the exact query (a phrase of consecutive character pairs) first;
2. within that, results whose title or shop name holds the query, then those whose title
   holds all its parts, then the rest;
3. then newest first (first publication for pages, joining the directory for shops).

The query count does not grow with the content: each backend search is one query, the
match lists carry only a few columns, and only the ten results on screen are loaded.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.models import Page, Site
from wagtail.search.query import Phrase, PlainText

from alliance.models import Merchant
from bulletins.models import HonourRollPage, NewsPage, NoticePage
from portal import params
from portal.contentcache import public
from portal.tokenize import contains_phrase, contains_terms, parse_query, words

from .models import StandardPage

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 100
SNIPPET_LENGTH = 90

MERCHANT = "merchant"
PAGE = "page"


@dataclass
class Hit:
    """One line of the result list, ready to render: the template makes no queries."""

    kind: str
    label: str
    title: str
    url: str
    snippet: str = ""
    meta: str = ""
    date: datetime.date | datetime.datetime | None = None


def run_search(request):
    """Context for the search page; an unknown page number is a 404."""
    query = params.text(request, "q", MAX_QUERY_LENGTH)
    parsed = parse_query(query)
    keys = _ranked_keys(parsed, Site.find_for_request(request)) if parsed else []
    results = params.paginate(request, keys, PAGE_SIZE)
    results.object_list = _load_hits(results.object_list, query, request)
    return {"query": query, "results": results}


def _search(queryset, parsed, fields):
    """(pk, title, timestamp) of every match, and the pks that hold the exact phrase."""
    queryset = queryset.only(*fields).order_by()
    matches = queryset.search(PlainText(" ".join(parsed.terms), operator="and"), order_by_relevance=False)
    rows = [(obj.pk, getattr(obj, fields[1]), getattr(obj, fields[2])) for obj in matches]
    if not rows or not parsed.phrase:
        # A one-token query: every match holds it exactly.
        return rows, {pk for pk, _title, _when in rows}
    exact = queryset.only("pk").search(Phrase(" ".join(parsed.phrase)), order_by_relevance=False)
    return rows, {obj.pk for obj in exact}


def _ranked_keys(parsed, site):
    """(kind, pk) of every match, best first."""
    pages = public(Page.objects.live())
    if site is not None:
        pages = pages.in_site(site)
    merchants = Merchant.objects.members()
    ranked = []
    for kind, queryset, fields in (
        (MERCHANT, merchants, ("pk", "name", "created_at")),
        (PAGE, pages, ("pk", "title", "first_published_at")),
    ):
        rows, exact = _search(queryset, parsed, fields)
        for pk, title, when in rows:
            if contains_phrase(title, parsed):
                title_rank = 0
            elif contains_terms(title, parsed):
                title_rank = 1
            else:
                title_rank = 2
            sort_key = (pk not in exact, title_rank, -when.timestamp() if when else 0.0, kind, pk)
            ranked.append((sort_key, (kind, pk)))
    ranked.sort()
    return [key for _sort_key, key in ranked]


def _load_hits(keys, query, request):
    """Hits for one screen of results: one query for the shops, one per page type for the pages."""
    merchant_ids = [pk for kind, pk in keys if kind == MERCHANT]
    page_ids = [pk for kind, pk in keys if kind == PAGE]
    loaded = {}
    if merchant_ids:
        for merchant in Merchant.objects.filter(pk__in=merchant_ids):
            loaded[MERCHANT, merchant.pk] = _merchant_hit(merchant, query)
    if page_ids:
        for page in Page.objects.filter(pk__in=page_ids).defer_streamfields().specific():
            loaded[PAGE, page.pk] = _page_hit(page, query, request)
    # A result unpublished between the two queries is simply left out.
    return [loaded[key] for key in keys if key in loaded]


def _merchant_hit(merchant, query):
    return Hit(
        kind=MERCHANT,
        label=_("联盟商户"),
        title=merchant.name,
        url=merchant.get_absolute_url(),
        snippet=highlight(merchant.offers or merchant.description, query),
        meta=f"{merchant.get_category_display()} · {merchant.address}",
    )


def _page_hit(page, query, request):
    meta, date = "", None
    if isinstance(page, NewsPage):
        date = page.date
    elif isinstance(page, NoticePage):
        # A repeating notice's first date may be long past; its rule is what residents need.
        if page.repeat:
            meta = f"{page.repeat_description} · {page.place}"
        else:
            meta, date = page.place, page.start
    elif isinstance(page, HonourRollPage):
        meta = page.period_label
    # "普通页面" is the editors' word; residents just see a page.
    label = _("页面") if isinstance(page, StandardPage) else page._meta.verbose_name
    return Hit(
        kind=PAGE,
        label=str(label),
        title=page.title,
        url=page.get_url(request) or "",
        snippet=highlight(getattr(page, "intro", "") or page.search_description, query),
        meta=meta,
        date=date,
    )


def _highlight_pattern(query):
    """Words and Chinese runs of the query, and the pairs of longer runs, longest first."""
    parts = set()
    for run in words(query):
        parts.add(run)
        if len(run) > 2 and not run.isascii():
            parts.update(run[i : i + 2] for i in range(len(run) - 1))
    if not parts:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def highlight(text, query, length=SNIPPET_LENGTH):
    """A short, escaped excerpt of text around the first match, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    pattern = _highlight_pattern(query)
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - 20) if first and first.start() > length // 2 else 0
    excerpt = text[start : start + length]
    prefix = "…" if start else ""
    suffix = "…" if start + length < len(text) else ""
    if pattern is None:
        return prefix + excerpt + suffix
    pieces, pos = [], 0
    for match in pattern.finditer(excerpt):
        pieces.append(escape(excerpt[pos : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        pos = match.end()
    pieces.append(escape(excerpt[pos:]))
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece is escaped above
