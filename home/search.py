"""Site search across pages and member merchants, with Chinese-aware matching.

Ranked and paginated by the database, the same way on SQLite and PostgreSQL:

1. results holding the exact query (a phrase of consecutive character pairs) first;
2. within that, results whose title or shop name holds the query, then those whose title
   holds all its parts, then the rest;
3. then newest first (first publication for pages, joining the directory for shops),
   then shops before pages, then by id.

It reads the index of home/searchindex.py, kept at write time: a SearchEntry per page and
merchant with its tokens (portal.tokenize.stored_tokens) and what its result line shows,
and a SearchToken row per distinct token. A search is two queries whatever the content:
COUNT for the pager, then the ten results on screen with their page or merchant row.

- Matching: `entry IN (SELECT entry FROM token WHERE token = t)` on the token table's primary
  key, or for several tokens `token IN (...) GROUP BY entry HAVING COUNT = n`: every token is
  required. Plain equality on plain rows, so both databases match the very same tokens
  (full-text engines split and normalise text each their own way).
- Ranking: CASE expressions over the stored tokens with LIKE ' a b ' (Django's `contains`,
  which escapes %, _ and the backslash), evaluated only on the rows already matched; then
  ORDER BY and LIMIT/OFFSET. Nothing is sorted or tokenised in Python.
- One deliberate difference from the full-text index used before: a phrase never runs along
  the loose single characters (portal.tokenize.stored_tokens), so 油,烟 ranks as exact only
  text holding 油 and 烟 next to each other as one-character words.
- Visibility is read through the page or merchant row in the same query (live, in this
  site, outside view restrictions; a member shop), so it is never stale.

Why not the alternatives (district data, 2,020 news + 508 notices + 1,060 merchants; see
docs/performance.md): Wagtail's backend tests the tsquery against every index entry on
PostgreSQL and returns whole objects; an expression GIN index over to_tsvector('simple',
tokens) matched as fast on PostgreSQL but its phrase test re-parses every candidate (40–55 ms
for 便民集市/志愿者积分) and SQLite needs a separate FTS5 table with its own tokeniser;
pg_trgm needs three characters and most Chinese words have two.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.models import Site

from alliance.models import Merchant
from portal import params
from portal.contentcache import restricted_paths
from portal.tokenize import parse_query, stored_fragment, words

from .models import SearchEntry, SearchToken, StandardPage

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 100
SNIPPET_LENGTH = 90

MERCHANT = SearchEntry.Kind.MERCHANT
PAGE = SearchEntry.Kind.PAGE


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
    entries = ranked_entries(parsed, Site.find_for_request(request)) if parsed else SearchEntry.objects.none()
    results = params.paginate(request, entries, PAGE_SIZE)
    results.object_list = [_hit(entry, query, request) for entry in results.object_list]
    return {"query": query, "results": results}


def _visible(site):
    """Live public pages of the site and member shops."""
    pages = Q(kind=PAGE, page__live=True)
    if site is not None:
        pages &= Q(page__path__startswith=site.root_page.path)
    for path in restricted_paths():
        pages &= ~Q(page__path__startswith=path)
    return pages | Q(kind=MERCHANT, merchant__membership_status=Merchant.Status.MEMBER)


def ranked_entries(parsed, site):
    """The matching entries, best first, with their page or merchant row (a lazy queryset)."""
    holding = SearchToken.objects.filter(token__in=parsed.terms).values("entry_id")
    if len(parsed.terms) > 1:
        # Every term (an entry's tokens are distinct): one subquery, so the planner joins few tables.
        holding = holding.annotate(held=Count("token")).filter(held=len(parsed.terms)).values("entry_id")
    entries = SearchEntry.objects.filter(_visible(site), pk__in=holding)
    # A one-token query: every match holds it exactly.
    exact = (
        Case(When(tokens__contains=stored_fragment(parsed.phrase), then=0), default=1, output_field=IntegerField())
        if parsed.phrase
        else Value(0)
    )
    all_terms = Q()
    for term in parsed.terms:
        all_terms &= Q(title_tokens__contains=stored_fragment([term]))
    in_title = Case(
        When(title_tokens__contains=stored_fragment(parsed.phrase or parsed.terms), then=0),
        When(all_terms, then=1),
        default=2,
        output_field=IntegerField(),
    )
    return (
        entries.annotate(
            exact=exact, in_title=in_title, when=Coalesce("page__first_published_at", "merchant__created_at")
        )
        .order_by("exact", "in_title", F("when").desc(nulls_last=True), "kind", Coalesce("merchant_id", "page_id"))
        .select_related("page", "merchant")
        .only(
            *("kind", "snippet", "meta", "date", "starts_at", "page", "merchant"),
            *("page__title", "page__url_path", "page__content_type"),
            "merchant__name",
        )
    )


def _hit(entry, query, request):
    if entry.kind == MERCHANT:
        merchant = entry.merchant
        return Hit(
            kind=MERCHANT,
            label=_("联盟商户"),
            title=merchant.name,
            url=merchant.get_absolute_url(),
            snippet=highlight(entry.snippet, query),
            meta=entry.meta,
        )
    page = entry.page
    page_class = page.specific_class
    # "普通页面" is the editors' word; residents just see a page.
    label = _("页面") if page_class is StandardPage else page_class._meta.verbose_name
    return Hit(
        kind=PAGE,
        label=str(label),
        title=page.title,
        url=page.get_url(request) or "",
        snippet=highlight(entry.snippet, query),
        meta=entry.meta,
        date=entry.date or entry.starts_at,
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
