"""Site-wide views: search, robots.txt and the text-size switch (the health check is portal.views.healthz)."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal import siteaddress

from .search import run_search


@require_GET
def search(request):
    """Site search over pages and member merchants; the work is in home.search."""
    return render(request, "home/search.html", run_search(request))


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /report/",
        "Disallow: /apply/",
        "Disallow: /track/",
        "Disallow: /my/",
        "Disallow: /search/",
        f"Sitemap: {siteaddress.absolute(reverse('sitemap'), request)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def text_size(request):
    """The large-text switch: a plain link or form, so it works without JavaScript."""
    size = request.GET.get("size")
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if size == "large":
        response.set_cookie(
            settings.TEXT_SIZE_COOKIE, "large", max_age=365 * 86400, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(settings.TEXT_SIZE_COOKIE, samesite="Lax")
    return response
