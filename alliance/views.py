"""The public member directory: only members, searchable by what they offer, filterable by what residents ask for."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import params
from portal.contentcache import remember

from . import directory
from .models import Community, Merchant

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 50


def members():
    """Members only: applicants, suspended and withdrawn shops never reach a public page."""
    return Merchant.objects.members().select_related("community", "grid", "photo")


def merchant_directory(request):
    merchants = Merchant.objects.members().order_by("name", "pk")
    category = params.choice(request, "category", Merchant.Category.values, _("没有这个商户类别。"))
    community = params.lookup(request, "community", Community.objects.all(), _("没有这个社区。"))
    query = params.text(request, "q", MAX_QUERY_LENGTH)
    services, ignored = directory.services(request)
    applied = []
    if query:
        merchants = merchants.matching(query)
        applied.append(("q", query, _("搜索：%(q)s") % {"q": query}))
    if category:
        merchants = merchants.filter(category=category)
        label = Merchant.Category(category).label
        applied.append(("category", category, _("类别：%(category)s") % {"category": label}))
    if community:
        merchants = merchants.filter(community=community)
        applied.append(("community", community.slug, _("社区：%(community)s") % {"community": community.name}))
    for service in services:
        merchants = merchants.filter(service.condition)
        applied.append((directory.SERVICE_PARAMETER, service.key, str(service.label)))
    # The ids of a list without free text are kept under the content generation (a few hundred
    # combinations at most); a search asks the index each time. Cards are plain values either way.
    if query:
        ids = list(merchants.values_list("pk", flat=True))
    else:
        ids = remember(
            "directory-ids",
            lambda: list(merchants.values_list("pk", flat=True)),
            category or "",
            getattr(community, "pk", ""),
            ",".join(service.key for service in services),
        )
    page = params.paginate(request, ids, PAGE_SIZE)
    return render(
        request,
        "alliance/merchant_directory.html",
        {
            "merchants": page,
            "cards": directory.merchant_cards(Merchant.objects.members(), page.object_list),
            "categories": Merchant.Category.choices,
            "communities": remember(
                "directory-communities", lambda: list(Community.objects.values("pk", "slug", "name"))
            ),
            "services": directory.SERVICES,
            "current_category": category,
            "current_community": community,
            "current_services": {service.key for service in services},
            "query": query,
            "chips": directory.chips(reverse("merchant_directory"), applied),
            "ignored_filters": ignored,
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
