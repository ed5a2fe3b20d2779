"""What every public template may read: the text size the resident chose and the office's details."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.contentcache import remember

from .models import OfficeSettings


def text_size(request):
    """Whether the resident chose large text; set by the text-size switch, kept in a cookie."""
    return {"large_text": request.COOKIES.get(settings.TEXT_SIZE_COOKIE) == "large"}


def office_settings(request):
    """The office's name, address and hotline for this site."""
    return remember("office-settings", lambda: OfficeSettings.for_request(request), request.get_host())


def office(request):
    """`office`, read only by pages that show it."""
    return {"office": SimpleLazyObject(lambda: office_settings(request))}
