"""Download names: a readable UTF-8 name for Chinese titles, an ASCII fallback for old clients (RFC 6266)."""

from urllib.parse import unquote

import pytest

from portal.downloads import attachment, file_name


def parts(header):
    """The disposition and its parameters, with filename* decoded as RFC 5987 says."""
    kind, *params = [p.strip() for p in header.split(";")]
    found = {}
    for param in params:
        name, value = param.split("=", 1)
        if name == "filename*":
            charset, _language, encoded = value.split("'", 2)
            assert charset == "UTF-8"
            assert all(c.isascii() and c not in ' "\\' for c in encoded)
            value = unquote(encoded, encoding="utf-8", errors="strict")
        else:
            assert value.startswith('"') and value.endswith('"')
            value = value[1:-1]
            assert value.isascii()
        found[name] = value
    return kind, found


def test_a_chinese_name_goes_in_filename_star_with_an_ascii_fallback():
    kind, found = parts(attachment("每月18日便民集市 2026年11月18日.ics", fallback="market-18-20261118.ics"))
    assert kind == "attachment"
    assert found == {"filename": "market-18-20261118.ics", "filename*": "每月18日便民集市 2026年11月18日.ics"}


def test_an_ascii_name_needs_no_second_parameter():
    assert (
        attachment("shangju-notices.ics", fallback="shangju-notices.ics")
        == 'attachment; filename="shangju-notices.ics"'
    )


@pytest.mark.parametrize(
    "title, expected",
    [
        ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j"),
        ("  多个   空格\t和\n换行 ", "多个 空格 和 换行"),
        ("..\\..\\etc/passwd", "etc passwd"),
        ("\x00\x1f控制字符\x7f", "控制字符"),
        ("", "download"),
        ("///", "download"),
    ],
)
def test_file_names_lose_what_a_file_system_or_a_header_would_choke_on(title, expected):
    assert file_name(title) == expected


def test_file_names_are_cut_to_a_length_a_phone_shows():
    assert len(file_name("商居联盟" * 40)) == 60
    assert file_name("商居联盟" * 40, suffix=".ics").endswith(".ics")
    assert len(file_name("商居联盟" * 40, suffix=".ics")) == 64


def test_a_fallback_is_made_ascii_whatever_it_is_given():
    _kind, found = parts(attachment("东门社区.xlsx", fallback="东门-dongmen.xlsx"))
    assert found["filename"] == "dongmen.xlsx"
    assert found["filename*"] == "东门社区.xlsx"
