"""The public member directory: only members, filterable, searchable by name."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from portal import params

from .models import Community, Merchant

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 50


def members():
    """Members only: applicants, suspended and withdrawn shops never reach a public page."""
    return Merchant.objects.members().select_related("community", "grid", "photo")


def merchant_directory(request):
    merchants = members().prefetch_related("photo__renditions")
    category = params.choice(request, "category", Merchant.Category.values, _("没有这个商户类别。"))
    community = params.lookup(request, "community", Community.objects.all(), _("没有这个社区。"))
    query = params.text(request, "q", MAX_QUERY_LENGTH)
    if category:
        merchants = merchants.filter(category=category)
    if community:
        merchants = merchants.filter(community=community)
    if query:
        merchants = merchants.filter(name__icontains=query)
    return render(
        request,
        "alliance/merchant_directory.html",
        {
            "merchants": params.paginate(request, merchants.order_by("name", "pk"), PAGE_SIZE),
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
