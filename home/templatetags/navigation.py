"""Navigation and links shared by every app's templates: the menu, the footer's pages, query strings."""

from django import template
from django.utils.translation import gettext as _
from wagtail.models import Site

from alliance import maps
from alliance.validators import tel_uri
from portal import params, siteaddress
from portal.contentcache import public, remember

from ..models import StandardPage

register = template.Library()

# The public URL map is stable (ARCHITECTURE.md), so the menu needs no query.
MENU = [
    ("/", "首页"),
    ("/news/", "联盟动态"),
    ("/notices/", "通知公告"),
    ("/honour-rolls/", "红黑榜"),
    ("/merchants/", "商户名录"),
    ("/report/", "我要反映"),
    ("/apply/", "申请入盟"),
    ("/my/", "我的"),  # points, sign-ups and own cases; the sign-in page for visitors
]


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context.get("request")
    path = request.path if request else "/"
    items = []
    for url, title in MENU:
        current = path == "/" if url == "/" else path.startswith(url)
        items.append({"url": url, "title": _(title), "current": current})
    return items


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination and filters)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """An absolute URL on the site's address (OpenGraph, feeds); left alone when storage already gives one."""
    return siteaddress.absolute(url, context.get("request"))


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's one address for link rel=canonical and og:url: the site's address and the path.

    Tracking and filter parameters are dropped; a listing's page number past the first is kept,
    since each page of a listing is a page of its own.
    """
    request = context.get("request")
    if request is None:
        return ""
    url = siteaddress.absolute(request.path, request)
    page = params.whole_number(request.GET.get("page"))
    return f"{url}?page={page}" if page and page > 1 else url


@register.filter
def tel(phone):
    """A phone number as typed (0931-1234 5678, full-width digits) as the tel: link a phone dials."""
    return tel_uri(phone) if phone else ""


@register.filter
def map_search(place):
    """An address or place as a map link people in China can open (alliance/maps.py)."""
    return maps.search_url(place)


@register.simple_tag(takes_context=True)
def footer_pages(context):
    """(title, url) of the live standard pages under the site's home (about, organisation, convention)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    return remember(
        "footer-pages",
        lambda: [
            (page.title, page.url)
            for page in public(StandardPage.objects.child_of(site.root_page).live()).defer_streamfields()
        ],
        site.pk,
    )
