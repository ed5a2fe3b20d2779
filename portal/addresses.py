"""The site's canonical address, for links that leave the site: in mails, SMS and calendar feeds.

WAGTAILADMIN_BASE_URL when it is set (production sets it from the environment, or from the first
of ALLOWED_HOSTS; `make run` from the address it serves); otherwise the default Wagtail Site's
address, which an administrator sets under 设置 → 站点 and `bootstrap_site --url` fills in. Never a
guessed default such as 127.0.0.1:8000: a link to the wrong port is a dead link for whoever gets it.
Wagtail's own notification mails read WAGTAILADMIN_BASE_URL directly, so set it wherever mail goes out.
"""

from django.conf import settings
from wagtail.models import Site


def site_url():
    """The scheme and host (and port) without a trailing slash, e.g. https://shangju.example.cn."""
    configured = (getattr(settings, "WAGTAILADMIN_BASE_URL", None) or "").strip().rstrip("/")
    if configured:
        return configured
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url.rstrip("/") if site else ""


def absolute_url(path):
    """`path` (from reverse() or a page's url) on the site's canonical address."""
    return site_url() + path
