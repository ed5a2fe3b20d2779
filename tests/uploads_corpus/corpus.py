"""Hostile and awkward photo uploads, generated in code (no binary fixtures in the repository).

CORPUS maps a case id to (upload name, bytes builder, expectation). The expectation is either
ACCEPT (re-encoded JPEG/PNG, no metadata) or the set of error codes sanitise_image may raise.
Builders are functions so a subprocess can build one file at a time and the import stays cheap.
"""

import io
import struct
import zlib

from PIL import Image, ImageCms

ACCEPT = "accept"
OVER_LIMIT = 8 * 1024 * 1024 + 1

GPS = {1: "N", 2: (39.0, 54.0, 26.0), 3: "E", 4: (116.0, 23.0, 29.0), 29: "2026:11:22"}


def _save(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _rgb(size=(320, 240), color=(200, 60, 30)):
    return Image.new("RGB", size, color)


def _exif(orientation=None, gps=True):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = GPS  # GPS IFD: where the resident lives
    return exif


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_bomb(width=30000, height=30000):
    """A tiny PNG whose header claims 900 megapixels."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + _chunk(b"IDAT", raw)
        + _chunk(b"IEND", b"")
    )


def png_zlib_bomb(width, height):
    """A real greyscale PNG of zeros: a few dozen KB that inflate to width*height bytes."""
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def jpeg_header_bomb(width=60000, height=60000):
    """A small JPEG whose SOF marker claims a huge frame."""
    data = bytearray(_save(_rgb((16, 16)), "JPEG"))
    index = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, index + 5, height, width)
    return bytes(data)


def thousand_frame_gif():
    frames = [Image.new("P", (32, 32), i % 256) for i in range(1000)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20, loop=0)


def thousand_frame_apng():
    frames = [Image.new("RGB", (32, 32), (i % 256, 0, 0)) for i in range(1000)]
    return _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=20)


def animated_webp():
    frames = [Image.new("RGB", (64, 64), (0, i * 40, 0)) for i in range(6)]
    return _save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)


def palette_with_transparency():
    image = Image.new("P", (64, 64), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    return _save(image, "PNG", transparency=0)


def sixteen_bit_png():
    image = Image.new("I;16", (64, 64), 40000)
    return _save(image, "PNG")


def jpeg_with_everything():
    """ICC profile, comment, XMP-like APP1 and GPS EXIF: all must go."""

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _save(_rgb(), "JPEG", exif=_exif(), icc_profile=profile, comment=b"shot at Building 3, flat 402")


def png_with_exif_chunk():
    return _save(_rgb(), "PNG", exif=_exif())


def webp_with_exif():
    return _save(_rgb(), "WEBP", exif=_exif())


def oriented_jpeg():
    # 300 wide x 100 high, tagged "rotate 90° clockwise": the stored photo must stand upright.
    return _save(_rgb((300, 100)), "JPEG", exif=_exif(orientation=6))


def cmyk_jpeg():
    return _save(Image.new("CMYK", (120, 90), (0, 255, 255, 0)), "JPEG")


def truncated_jpeg():
    return _save(_rgb((400, 300)), "JPEG", quality=95)[:600]


def truncated_png():
    full = _save(Image.effect_noise((200, 200), 60).convert("RGB"), "PNG")
    return full[: len(full) // 2]


def over_size_limit():
    return _save(_rgb(), "JPEG") + b"\x00" * OVER_LIMIT


def max_pixel_photo():
    # 6000 x 4000 = 24 MP, exactly the limit: accepted, decoded, scaled down.
    return _save(_rgb((6000, 4000)), "JPEG", quality=50)


def just_over_pixels():
    return _save(Image.new("L", (6001, 4000)), "PNG")


def cases():
    jpeg = lambda: _save(_rgb(), "JPEG")  # noqa: E731
    return {
        # name on the upload, builder, expectation
        "plain-jpeg": ("photo.jpg", jpeg, ACCEPT),
        "plain-png": ("photo.png", lambda: _save(_rgb(), "PNG"), ACCEPT),
        "rgba-png": ("alpha.png", lambda: _save(Image.new("RGBA", (80, 60), (0, 0, 255, 128)), "PNG"), ACCEPT),
        "la-png": ("grey-alpha.png", lambda: _save(Image.new("LA", (80, 60), (90, 128)), "PNG"), ACCEPT),
        "palette-transparency": ("palette.png", palette_with_transparency, ACCEPT),
        "sixteen-bit-png": ("deep.png", sixteen_bit_png, ACCEPT),
        "greyscale-jpeg": ("grey.jpg", lambda: _save(Image.new("L", (80, 60), 128), "JPEG"), ACCEPT),
        "cmyk-jpeg": ("cmyk.jpg", cmyk_jpeg, ACCEPT),
        "gps-jpeg": ("gps.jpg", lambda: _save(_rgb(), "JPEG", exif=_exif()), ACCEPT),
        "gps-icc-comment-jpeg": ("everything.jpg", jpeg_with_everything, ACCEPT),
        "gps-png-exif-chunk": ("gps.png", png_with_exif_chunk, ACCEPT),
        "gps-webp": ("gps.webp", webp_with_exif, ACCEPT),
        "orientation-6": ("rotated.jpg", oriented_jpeg, ACCEPT),
        "webp": ("photo.webp", lambda: _save(_rgb(), "WEBP"), ACCEPT),
        "webp-lossless-alpha": (
            "alpha.webp",
            lambda: _save(Image.new("RGBA", (64, 64), (9, 9, 9, 9)), "WEBP", lossless=True),
            ACCEPT,
        ),
        "animated-webp": ("moving.webp", animated_webp, ACCEPT),
        "thousand-frame-apng": ("moving.png", thousand_frame_apng, ACCEPT),
        "max-pixels": ("big.jpg", max_pixel_photo, ACCEPT),
        "zlib-bomb-within-limit": ("zeros.png", lambda: png_zlib_bomb(4800, 4800), ACCEPT),
        "wide-panorama": ("panorama.jpg", lambda: _save(_rgb((20000, 400)), "JPEG"), ACCEPT),
        "path-traversal-name": ("../../etc/passwd.jpg", jpeg, ACCEPT),
        "windows-traversal-name": ("..\\..\\windows\\win.ini.jpg", jpeg, ACCEPT),
        "nul-in-name": ("evil\x00.php.jpg", jpeg, ACCEPT),
        "very-long-name": ("门" * 120 + "a" * 300 + ".jpg", jpeg, ACCEPT),
        "chinese-name": ("解放路18号烧烤店门口.jpg", jpeg, ACCEPT),
        "wrong-extension": ("photo.gif", lambda: _save(_rgb(), "PNG"), ACCEPT),
        # refused
        "empty": ("empty.jpg", lambda: b"", {"empty"}),
        "over-size-limit": ("huge.jpg", over_size_limit, {"too_large"}),
        "jpeg-header-bomb": ("bomb.jpg", jpeg_header_bomb, {"pixels"}),
        "png-header-bomb": ("bomb.png", png_header_bomb, {"pixels"}),
        "png-100mp-warning-zone": ("warn.png", lambda: png_header_bomb(10000, 10000), {"pixels"}),
        "zlib-bomb-over-limit": ("zeros-big.png", lambda: png_zlib_bomb(8000, 8000), {"pixels"}),
        "just-over-pixels": ("big.png", just_over_pixels, {"pixels"}),
        "thousand-frame-gif": ("moving.gif", thousand_frame_gif, {"format"}),
        "gif-renamed-png": ("still.png", lambda: _save(Image.new("P", (32, 32)), "GIF"), {"format"}),
        "html-renamed-png": ("page.png", lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script>", {"polyglot"}),
        "svg-renamed-png": (
            "drawing.png",
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
            {"polyglot"},
        ),
        "svg-with-xml-prolog": (
            "drawing.jpg",
            lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
            {"polyglot"},
        ),
        "png-script-polyglot": ("poly.png", lambda: _save(_rgb(), "PNG") + b"<script>alert(1)</script>", {"polyglot"}),
        "jpeg-php-polyglot": ("poly.jpg", lambda: jpeg() + b"<?php system($_GET['c']); ?>", {"polyglot"}),
        "jpeg-html-in-comment": (
            "comment.jpg",
            lambda: _save(_rgb(), "JPEG", comment=b"<iframe src=//x>"),
            {"polyglot"},
        ),
        "truncated-jpeg": ("cut.jpg", truncated_jpeg, {"invalid"}),
        "truncated-png": ("cut.png", truncated_png, {"invalid"}),
        "pdf-renamed-jpg": ("scan.jpg", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", {"invalid"}),
        "heic-named-text": ("IMG_0001.heic", lambda: "这不是照片".encode() * 20, {"invalid"}),
        "bmp": ("photo.bmp", lambda: _save(_rgb(), "BMP"), {"format"}),
        "tiff-renamed-jpg": ("photo.jpg", lambda: _save(_rgb(), "TIFF"), {"format"}),
        "random-bytes": ("noise.jpg", lambda: bytes(range(256)) * 40, {"invalid"}),
        "jpeg-magic-then-garbage": ("half.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x13" * 5000, {"invalid"}),
    }


CORPUS = cases()
