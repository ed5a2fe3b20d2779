"""What every public template may read: the text size the resident chose and the office's details."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.contentcache import remember

from .models import OfficeSettings


def text_size(request):
    """Whether the resident chose large text; set by the text-size switch, kept in a cookie."""
    return {"large_text": request.COOKIES.get(settings.TEXT_SIZE_COOKIE) == "large"}


OFFICE_FIELDS = ("office_name", "address", "hotline", "hours", "share_image_id")


def office_settings(request):
    """The office's name, address, hotline, hours and share image (its id) for this site, as a plain
    dict: a cached model instance would cost more to unpickle on every page than it saves."""

    def compute():
        found = OfficeSettings.for_request(request)
        return {name: getattr(found, name) for name in OFFICE_FIELDS}

    return remember("office-settings", compute, request.get_host())


def office(request):
    """`office`, read only by pages that show it."""
    return {"office": SimpleLazyObject(lambda: office_settings(request))}
