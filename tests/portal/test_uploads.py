"""A corpus of good and hostile files for the photo sanitiser."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import sanitise_image


def encode(fmt, size=(320, 240), mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode != "CMYK" else (0, 255, 255, 0)).save(buffer, fmt, **save)
    return buffer.getvalue()


def gps_jpeg():
    image = Image.new("RGB", (200, 100), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 26.0), 3: "E", 4: (116.0, 23.0, 29.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_bomb(width=30000, height=30000):
    """A tiny file whose header claims 900 megapixels."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


GOOD = {
    "photo.jpg": encode("JPEG"),
    "photo.png": encode("PNG"),
    "transparent.png": encode("PNG", mode="RGBA"),
    "photo.webp": encode("WEBP"),
    "cmyk.jpg": encode("JPEG", mode="CMYK"),
    "gps.jpg": gps_jpeg(),
    "wrong-extension.gif": encode("PNG"),
    "../../etc/passwd.jpg": encode("JPEG"),
    "grey.jpg": encode("JPEG", mode="L"),
}

HOSTILE = {
    "empty.jpg": b"",
    "page.png": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "drawing.png": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    "script-after.png": encode("PNG") + b"<script>alert(document.cookie)</script>",
    "php.jpg": encode("JPEG") + b"<?php system($_GET['c']); ?>",
    "truncated.jpg": encode("JPEG")[:200],
    "bomb.png": png_bomb(),
    "animation.gif": encode("GIF"),
    "bitmap.bmp": encode("BMP"),
    "tiff.jpg": encode("TIFF"),
    "document.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "random.jpg": bytes(range(256)) * 40,
    "huge.jpg": b"\xff\xd8" + b"\x00" * (9 * 1024 * 1024),
}


@pytest.mark.parametrize("name", GOOD)
def test_good_photos_are_reencoded_without_metadata(name):
    clean = sanitise_image(upload(name, GOOD[name]))
    assert clean.name.endswith((".jpg", ".png")) and "/" not in clean.name and ".." not in clean.name
    assert not clean.name.startswith(name.rsplit("/", 1)[-1].split(".")[0])
    with Image.open(io.BytesIO(clean.read())) as image:
        image.load()
        assert image.format in {"JPEG", "PNG"}
        assert image.mode in {"RGB", "RGBA"}
        assert not image.getexif()
        assert "icc_profile" not in image.info and "exif" not in image.info


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_get_a_chinese_field_error(name):
    with pytest.raises(ValidationError) as excinfo:
        sanitise_image(upload(name, HOSTILE[name]))
    message = excinfo.value.messages[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_large_photos_are_scaled_down():
    clean = sanitise_image(upload("big.jpg", encode("JPEG", size=(4000, 3000))))
    with Image.open(io.BytesIO(clean.read())) as image:
        assert max(image.size) == 2000


# --- file names on a real disk (portal.uploads.SafeNameStorage) ----------------------------------


@pytest.fixture
def media_on_disk(settings, tmp_path):
    from portal.settings import base  # noqa: PLC0415 - the storages production runs with

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**base.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.mark.django_db
def test_an_editor_uploads_a_document_whose_chinese_name_is_longer_than_the_disk_allows(admin_client, media_on_disk):
    from wagtail.documents.models import Document  # noqa: PLC0415

    name = "关于解放路夜市延长营业时间和油烟治理的通知" * 4 + ".pdf"  # 85 characters, 250 bytes
    upload = SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = admin_client.post("/admin/documents/add/", {"title": "夜市通知", "file": upload, "collection": 1})
    assert response.status_code == 302, response.content.decode()[:500]
    document = Document.objects.get()
    assert document.file.name.startswith("documents/关于解放路夜市") and document.file.name.endswith(".pdf")
    assert len(document.file.name.encode()) <= 120
    assert (media_on_disk / document.file.name).read_bytes().startswith(b"%PDF")
