"""Stored text written into files other programs read: XLSX cells, RSS and Atom feeds, iCalendar.

XML 1.0 (XLSX, feeds) cannot hold most control characters at all, and iCalendar forbids them in
text: one vertical tab pasted from a word processor into a title would make Django's feed view
raise, openpyxl refuse the workbook, or a phone drop the whole calendar. `xml_text` replaces each
with a visible stand-in (the Unicode control pictures ␁ ␋ ␛ for C0, ␡ for DEL, U+FFFD for C1, lone
surrogates and U+FFFE/U+FFFF), writes line breaks as "\\n", and leaves every other character alone.
"""

import re

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.functional import Promise

# Every control but tab and line feed (carriage returns become line feeds first), DEL, C1, lone
# surrogates and the two non-characters of the BMP that XML 1.0 excludes.
UNREADABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n?")


def _stand_in(match):
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟, the control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def xml_text(value):
    """`value` with every character XML 1.0 or iCalendar refuses made visible; non-text as it is."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    return UNREADABLE.sub(_stand_in, _NEWLINES.sub("\n", value))


def _clean(value):
    if isinstance(value, (list, tuple)):
        return [xml_text(item) for item in value]
    return xml_text(value)


class XMLSafeFeed:
    """Mix into a django.utils.feedgenerator class: every text of the feed and of its items is
    passed through xml_text, whatever the Feed view took it from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_clean, args), **{name: _clean(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_clean, args), **{name: _clean(value) for name, value in kwargs.items()})


class RssFeed(XMLSafeFeed, Rss201rev2Feed):
    pass


class AtomFeed(XMLSafeFeed, Atom1Feed):
    pass
