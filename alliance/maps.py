"""Map links people in China can open, for shops, notice places and the office.

Amap's URI API (https://lbs.amap.com/api/uri-api/guide/search/search): a plain link that opens
the H5 map, or the Amap app on a phone that has it (callnative=1), searching for an address or
place. No key and no script of theirs on our pages, so the Content-Security-Policy stays as it is.
MAP_CITY (the deployment's city, e.g. 兰州市) narrows the search; without it the map searches
around the phone's own city, which for residents is the right one.
"""

from urllib.parse import urlencode

from django.conf import settings

SEARCH_URL = "https://uri.amap.com/search"


def search_url(keyword):
    """The map searching for `keyword` (an address or a place's name); '' for nothing to search."""
    keyword = " ".join((keyword or "").split())
    if not keyword:
        return ""
    query = {"keyword": keyword, "src": "shangju", "view": "map", "callnative": "1"}
    if settings.MAP_CITY:
        query["city"] = settings.MAP_CITY
    return f"{SEARCH_URL}?{urlencode(query)}"
