"""Download names people can read: Content-Disposition with a UTF-8 name and an ASCII fallback.

RFC 6266 (with RFC 5987's encoding) lets a header carry both: `filename*=UTF-8''…` for the
Chinese name every current browser and phone shows, and `filename="…"` for a client that only
knows ASCII. Django's content_disposition_header gives one or the other, never both, so the few
lines are ours. Every attachment we serve (calendar files, spreadsheets) goes through here.
"""

import re
import unicodedata
from urllib.parse import quote

# What file systems refuse or a header would choke on; runs of it become one space.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_LENGTH = 60
DEFAULT_NAME = "download"


def file_name(title, suffix="", max_length=MAX_NAME_LENGTH):
    """A file name from a title: no separators, quotes or control characters, spaces collapsed, cut short."""
    text = unicodedata.normalize("NFC", title or "")
    text = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return (text[:max_length].rstrip(" .") or DEFAULT_NAME) + suffix


def ascii_name(name):
    """Letters, digits, dot, hyphen and underscore only: what the plain filename parameter may hold."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    stem = _NOT_ASCII_NAME.sub("-", stem).strip("-.") or DEFAULT_NAME
    return stem + dot + _NOT_ASCII_NAME.sub("", suffix)


def attachment(filename, fallback):
    """The Content-Disposition value of a download named `filename` (`fallback` for ASCII-only clients)."""
    fallback = ascii_name(fallback)
    if filename == fallback:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
