"""Uploads: photos decided by content and re-encoded; every file name short enough for any disk.

Nothing a user uploads is ever stored as sent: we decode it with Pillow (after checking
the pixel count from the header, against decompression bombs), take the first frame,
drop every metadata block (EXIF with GPS, ICC, XMP, comments) and write a fresh JPEG or
PNG under a random name. SVG, HTML, PDFs and polyglots fail to decode as one of the three
raster formats we accept and get a field error.

A name as sent by a browser may be anything up to 255 characters: 255 Chinese characters are
765 bytes, and most file systems stop at 255 bytes, so saving the upload as it came (a wizard's
temporary file, an editor's document) failed with "File name too long". `safe_file_name` keeps
the name a person would recognise, as far as is safe: control characters and separators become
"_", the stem is cut to a byte budget without splitting a character, and a short extension is
kept. `SafeNameStorage` (every file-system storage in the settings) applies it to every name it
saves, so no upload field, ours or Wagtail's, can fail on its name.
"""

import io
import os
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000  # e.g. 6000 x 4000, a large phone photo
MAX_SIDE = 2000  # stored photos are scaled down to this; enough to read a shop sign
# Markup a browser would sniff and run: a raster file carrying it is a polyglot, refused outright.
# Modes Pillow resizes directly; others (palette, 16-bit) are converted first.
SCALABLE_MODES = {"L", "LA", "RGB", "RGBA", "CMYK"}
POLYGLOT_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?php", b"<iframe", b"javascript:", b"<body")


class SanitisedImage(ContentFile):
    """What sanitise_image returns: re-encoded by us, so storing or keeping it needs no second decode."""

    charset = None

    def __init__(self, content, name, content_type):
        super().__init__(content, name=name)
        self.content_type = content_type


def sanitise_image(upload):
    """Return a SanitisedImage (a ContentFile) with a clean re-encoded image, or raise ValidationError."""
    if upload.size == 0:
        raise ValidationError(_("文件是空的，请重新选择照片。"), code="empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片不能超过 8 MB，请压缩后再上传。"), code="too_large")
    upload.seek(0)
    head = upload.read(MAX_UPLOAD_BYTES + 1)
    lowered = head.lower()
    if any(marker in lowered for marker in POLYGLOT_MARKERS):
        raise ValidationError(_("文件中含有网页代码，不是普通照片，请重新拍摄后上传。"), code="polyglot")
    try:
        # Opening reads only the header: the size check happens before any pixels decode.
        # Pillow's own bomb limit (about 179 MP) is far above ours; when it trips first the
        # resident gets the same "too large" answer.
        with Image.open(io.BytesIO(head)) as probe:
            fmt = probe.format
            width, height = probe.size
        if fmt not in ACCEPTED_FORMATS:
            raise ValidationError(_("只接受 JPG、PNG 或 WebP 格式的照片。"), code="format")
        if width * height > MAX_PIXELS:
            raise ValidationError(_("照片尺寸过大，请用手机正常拍摄的照片。"), code="pixels")
        with Image.open(io.BytesIO(head)) as image:
            image.seek(0)  # animated WebP/APNG: only the first frame is ever decoded
            # JPEG decodes straight at 1/2, 1/4 or 1/8 scale: a 24 MP photo never sits in memory whole.
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
            # Keep the orientation the phone meant, then drop EXIF. In place: no second full-size copy.
            ImageOps.exif_transpose(image, in_place=True)
            if image.mode in SCALABLE_MODES:
                image.thumbnail((MAX_SIDE, MAX_SIDE))  # shrink before converting, so the copy is small
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("照片尺寸过大，请用手机正常拍摄的照片。"), code="pixels")
    except Exception:
        # Hostile bytes reach parsers written in C and Python alike (EXIF, chunk tables): whatever
        # they raise — struct.error, IndexError, MemoryError… — the honest answer is the same.
        raise ValidationError(_("无法识别这张照片，请上传 JPG、PNG 或 WebP 格式的照片。"), code="invalid")
    # Pillow carries some blocks over from the source on save (a JPEG comment, say): start empty.
    image.info = {}
    out = io.BytesIO()
    if has_alpha:
        image.save(out, "PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        image.save(out, "JPEG", quality=85, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    return SanitisedImage(out.getvalue(), f"{secrets.token_hex(16)}.{extension}", content_type)


# --- file names ---------------------------------------------------------------------------------

# Bytes of a stored file name (without its folder), leaving room for the "_abc1234" Django adds
# when the name is taken: far below the 255 bytes of ext4, XFS, btrfs and NTFS.
MAX_NAME_BYTES = 100
MAX_EXTENSION_BYTES = 10  # ".jpeg", ".docx"; anything longer is not an extension we keep
ALTERNATIVE_SUFFIX_BYTES = 8


def _cut(text, max_bytes):
    """`text` cut to at most `max_bytes` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def safe_file_name(name, max_bytes=MAX_NAME_BYTES):
    """A file name (no folder) of at most `max_bytes` UTF-8 bytes that any file system accepts.

    The stem keeps its leading characters; the extension is kept when it is short and plain.
    """
    name = os.path.basename(str(name or "").replace("\\", "/"))
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" or c in "/:" else c for c in name).strip(" .")
    stem, extension = os.path.splitext(cleaned)
    if len(extension.encode()) > MAX_EXTENSION_BYTES or not extension[1:].isalnum():
        stem, extension = cleaned, ""
    stem = _cut(stem, max_bytes - len(extension.encode())).rstrip(" .") or "file"
    return stem + extension


class SafeNameStorage(FileSystemStorage):
    """Django's file-system storage, saving every file under safe_file_name (see the module docstring)."""

    def get_available_name(self, name, max_length=None):
        folder, file_name = os.path.split(str(name).replace("\\", "/"))
        short = safe_file_name(file_name, MAX_NAME_BYTES - ALTERNATIVE_SUFFIX_BYTES)
        return super().get_available_name(os.path.join(folder, short) if folder else short, max_length)
