"""The site's public address: every absolute URL we hand out is built from it.

One address, the Wagtail Site's (hostname and port; port 443 means https). Wagtail's own page
URLs and sitemap already use it, so calendar UIDs and links, feeds, robots.txt, OpenGraph and
canonical links, emails, QR codes and private links agree with them, whichever host a request
came in on (an address on the office LAN, a second domain, a proxy's internal name).

The first migration creates that Site as localhost:80, a placeholder. `migrate` gives it the
configured address, WAGTAILADMIN_BASE_URL (production derives it from ALLOWED_HOSTS), while it is
still the placeholder; `bootstrap_site --url`, which `make run` calls, moves it to where the
portal is served. An address an editor sets in the admin (设置 → 站点) is never overwritten.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from wagtail.models import Site

PLACEHOLDER = ("localhost", 80)
DEFAULT_PORTS = {"http": 80, "https": 443}


def default_site():
    return Site.objects.filter(is_default_site=True).first()


def site_for(request=None):
    """The Site serving the request (found once per request), else the default Site; None before any."""
    site = Site.find_for_request(request) if request is not None else None
    return site or default_site()


def root_url(request=None):
    """scheme://host[:port] of the site, without a trailing slash."""
    site = site_for(request)
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute(url, request=None):
    """`url` (a path) on the site's address; an absolute URL (media on a storage host) is left alone."""
    if not url or urlsplit(url).scheme:
        return url or ""
    return root_url(request) + ("" if url.startswith("/") else "/") + url


def hostname(request=None):
    return urlsplit(root_url(request)).hostname


def address_of(url):
    """(hostname, port) of a URL as a Site stores it; ValueError for one a Site cannot hold.

    Wagtail's Site means https on port 443 and http on every other port, so https elsewhere
    (or http on 443) would come back out with the wrong scheme.
    """
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = parts._replace(netloc="")
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) address: {url!r}")
    port = port or DEFAULT_PORTS[parts.scheme]
    if (parts.scheme == "https") != (port == 443):
        raise ValueError(f"a site's address is https on port 443 or http on another port: {url!r}")
    return parts.hostname.lower(), port


def move_site(url, site=None):
    """Give the Site (the default one unless given) the address of `url`; True when it changed."""
    host, port = address_of(url)
    site = site or default_site()
    if site is None or (site.hostname, site.port) == (host, port):
        return False
    site.hostname, site.port = host, port
    site.save(update_fields=["hostname", "port"])  # Wagtail clears its root-paths cache on save
    return True


def adopt_configured_address(using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate: a Site still at the first migration's placeholder takes WAGTAILADMIN_BASE_URL's address."""
    if Site._meta.db_table not in connections[using].introspection.table_names():
        return  # wagtailcore is not migrated (yet) on this database
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) != PLACEHOLDER:
        return
    try:
        move_site(settings.WAGTAILADMIN_BASE_URL, site)
    except ValueError:
        return  # an address a Site cannot hold: leave the placeholder, the admin can set it
