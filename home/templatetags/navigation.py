"""Navigation and links shared by every app's templates: the menu, the footer's pages, query strings."""

from django import template
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
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


SHARE_RENDITION = "fill-1200x630|format-jpeg"


@register.simple_tag(takes_context=True)
def share_image(context, *image_ids):
    """{url, width, height} of the first of these images as the share card (OpenGraph) shows it, or
    None. Kept as plain values under the content generation: a page costs no rendition lookup."""
    image_id = next((pk for pk in image_ids if pk), None)
    if image_id is None:
        return None
    request = context.get("request")

    def compute():
        image = get_image_model().objects.filter(pk=image_id).first()
        if image is None:
            return None
        rendition = image.get_rendition(SHARE_RENDITION)
        url = siteaddress.absolute(rendition.url, request)
        return {"url": url, "width": rendition.width, "height": rendition.height}

    return remember("share-image", compute, image_id, request.get_host() if request else "")


@register.simple_tag(takes_context=True)
def breadcrumbs(context, page):
    """(title, url) of the page's ancestors below the home page, cached under the generation: a
    move or a renamed parent starts a new one, so the trail is never stale."""
    request = context.get("request")

    def compute():
        return [(ancestor.title, ancestor.get_url(request)) for ancestor in page.get_ancestors()[2:]]

    return remember("breadcrumbs", compute, page.pk, request.get_host() if request else "")


COVER_WIDTHS = (480, 960, 1440)


@register.simple_tag
def cover_image(image_id):
    """{src, srcset, width, height, alt} of a page's cover (封面图) in three widths of WebP, or None.

    Plain values under the content generation: the page costs no rendition lookups, and Wagtail no
    longer writes each rendition to the cache on every request.
    """
    if not image_id:
        return None

    def compute():
        image = get_image_model().objects.filter(pk=image_id).first()
        if image is None:
            return None
        specs = [f"width-{width}|format-webp" for width in COVER_WIDTHS]
        renditions = image.get_renditions(*specs)
        found = [renditions[spec] for spec in specs]
        return {
            "src": found[0].url,
            "srcset": ", ".join(f"{rendition.url} {rendition.width}w" for rendition in found),
            "width": found[0].width,
            "height": found[0].height,
            "alt": image.default_alt_text,
        }

    return remember("cover-image", compute, image_id)
