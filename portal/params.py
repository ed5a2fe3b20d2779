"""Listing parameters read safely: a page number, a slug that names an object, a choice, some text.

Anything a visitor types into a URL reaches these: a NUL byte (PostgreSQL refuses text holding
one), control characters, a page number that is not a number or past the end, a slug of the
wrong shape. Each helper answers with what the listing needs, or raises Http404 with a Chinese
message, so no view hand-rolls its own guard and none turns odd input into a 500.
"""

import re
import unicodedata

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, Func, IntegerField, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

# Django's unicode slug: taggit gives Chinese tags slugs like 便民集市.
SLUG = re.compile(r"^[-\w]{1,100}$")
MAX_TEXT_LENGTH = 100
# Past any listing's end; keeps OFFSET inside a 64-bit integer whatever number is typed.
MAX_PAGE_NUMBER = 10**12


def clean_text(raw, max_length=MAX_TEXT_LENGTH):
    """Text as typed, with control and separator characters as single spaces, cut to max_length."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in raw or "")
    return " ".join(text.split())[:max_length]


def text(request, name, max_length=MAX_TEXT_LENGTH):
    """A free-text parameter (a search box), cleaned; '' when absent."""
    return clean_text(request.GET.get(name, ""), max_length)


def choice(request, name, choices, not_found):
    """A parameter that must be one of `choices` (values); '' when absent, 404 otherwise."""
    value = request.GET.get(name, "")
    if value and value not in choices:
        raise Http404(not_found)
    return value


def choices(request, name, allowed, max_values=20):
    """The values of a repeatable parameter (?has=a&has=b) that are in `allowed`, in its order,
    and whether any other non-empty value was given (for a plain "ignored" message).

    Unknown values are ignored, not a 404: for optional filters a resident ticks, an old or odd
    link should still show the listing. Only the first `max_values` values are read.
    """
    given = request.GET.getlist(name)[:max_values]
    known = [value for value in allowed if value in given]
    ignored = any(value and value not in allowed for value in given)
    return known, ignored


def lookup(request, name, queryset, not_found, field="slug"):
    """The object whose `field` equals the parameter; None when absent; 404 when none matches.

    A value that could not be a slug is refused before it reaches the database.
    """
    value = request.GET.get(name, "")
    if not value:
        return None
    found = queryset.filter(**{field: value}).first() if SLUG.match(value) else None
    if found is None:
        raise Http404(not_found)
    return found


def whole_number(value):
    """The value as an int when it is plain ASCII digits, else None ("²".isdigit() is True)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def paginate(request, items, per_page, name="page"):
    """One page of items; a page number that is not a number or is out of range is a 404."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(name) or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("没有这一页。"))


def paginate_in_one_query(request, queryset, per_page, rows=None, name="page"):
    """paginate() for an ordered queryset in one query: the page's rows carry the total from an
    uncorrelated COUNT subquery of `queryset`, which the database runs once. `rows(queryset)` may
    add what the shown rows need (joins, related rows) without the count paying for them.

    The same answers as paginate(): a number that is not one, below 1 or past the end is a 404;
    an empty first page is shown.
    """
    raw = request.GET.get(name) or 1
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise Http404(_("没有这一页。"))
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise Http404(_("没有这一页。"))
    # Func rather than Count: an aggregate would make Django group the outer rows.
    total = queryset.order_by().annotate(listed_total=Func(F("pk"), function="COUNT")).values("listed_total")
    shown = (rows or (lambda q: q))(queryset).annotate(listed_total=Subquery(total, output_field=IntegerField()))
    offset = (number - 1) * per_page
    found = list(shown[offset : offset + per_page])
    if not found and number > 1:
        raise Http404(_("没有这一页。"))
    paginator = Paginator(found, per_page)
    paginator.count = found[0].listed_total if found else 0  # what Paginator would have counted
    return Page(found, number, paginator)
