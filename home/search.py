"""Site search across pages and member merchants, with Chinese-aware matching."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from wagtail.models import Page

from alliance.models import Merchant
from portal.tokenize import query_tokens

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 100


def run_search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = []
    tokens = query_tokens(query)
    if tokens:
        text = " ".join(tokens)
        pages = Page.objects.live().public().specific().search(text, operator="and")
        merchants = Merchant.objects.members().search(text, operator="and")
        results = list(merchants) + list(pages)
    paginator = Paginator(results, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404(_("没有这一页。"))
    return {"query": query, "results": page}
