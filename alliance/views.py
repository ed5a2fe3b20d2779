"""The public member directory: only members, filterable, searchable by name."""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from .models import Community, Merchant

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 50
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
# NUL is refused by PostgreSQL and other control characters are never part of a shop name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def members():
    """Members only: applicants, suspended and withdrawn shops never reach a public page."""
    return Merchant.objects.members().select_related("community", "grid", "photo")


def merchant_directory(request):
    merchants = members().prefetch_related("photo__renditions")
    category = request.GET.get("category", "")
    community_slug = request.GET.get("community", "")
    query = _CONTROL.sub("", request.GET.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    community = None
    if category:
        if category not in Merchant.Category.values:
            raise Http404(_("没有这个商户类别。"))
        merchants = merchants.filter(category=category)
    if community_slug:
        # Check the shape first so odd input never reaches the database.
        community = Community.objects.filter(slug=community_slug).first() if _SLUG.match(community_slug) else None
        if community is None:
            raise Http404(_("没有这个社区。"))
        merchants = merchants.filter(community=community)
    if query:
        merchants = merchants.filter(name__icontains=query)
    paginator = Paginator(merchants.order_by("name", "pk"), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("没有这一页。"))
    return render(
        request,
        "alliance/merchant_directory.html",
        {
            "merchants": page,
            "categories": Merchant.Category.choices,
            "communities": Community.objects.all(),
            "current_category": category,
            "current_community": community,
            "query": query,
        },
    )


def merchant_detail(request, pk):
    merchant = get_object_or_404(members(), pk=pk)
    # Through the reverse relation, so this ground-floor app imports no other app;
    # only published rolls count, a draft or withdrawn roll is not an honour yet.
    honours = (
        merchant.honours.filter(page__live=True)
        .select_related("page")
        .order_by("-page__period_end", "-page__pk", "sort_order")
    )
    return render(request, "alliance/merchant_detail.html", {"merchant": merchant, "honours": honours})
