"""The hostile corpus itself: big enough, every category the issue names, nothing accidental."""

import unicodedata

from .hostile import CATEGORIES, HOSTILE, HTTP_SAMPLE


def test_corpus_has_at_least_100_distinct_strings():
    assert len(HOSTILE) >= 100
    assert len(set(HOSTILE)) == len(HOSTILE)


def test_every_category_of_the_issue_is_in_the_corpus():
    assert set(CATEGORIES) == {
        "script",
        "event_handler",
        "nul",
        "rtl_override",
        "zero_width",
        "long",
        "full_width_digits",
        "emoji",
        "sql",
        "template",
    }
    for name, values in CATEGORIES.items():
        assert values and all(value in HOSTILE for value in values), name


def test_the_corpus_holds_what_each_category_promises():
    assert any("<script" in value.lower() for value in HOSTILE)
    assert any("onerror=" in value for value in HOSTILE)
    assert any("\x00" in value for value in HOSTILE)
    assert any("\u202e" in value for value in HOSTILE)
    assert any("\u200b" in value for value in HOSTILE)
    assert any(len(value) == 10000 for value in HOSTILE)
    assert any(any(unicodedata.name(c, "").startswith("FULLWIDTH DIGIT") for c in value) for value in HOSTILE)
    assert any(any(ord(c) > 0xFFFF for c in value) for value in HOSTILE)  # emoji beyond the BMP
    assert any("DROP TABLE" in value for value in HOSTILE)
    assert any("{%" in value for value in HOSTILE) and any("{{" in value for value in HOSTILE)
    # Combinations: strings mixing categories, and Chinese text around hostile parts.
    assert sum(1 for value in HOSTILE if value not in sum(CATEGORIES.values(), [])) >= 30


def test_no_surrogates_so_every_string_can_be_sent_as_utf8():
    for value in HOSTILE:
        value.encode("utf-8")


def test_the_http_sample_covers_every_category():
    for name, values in CATEGORIES.items():
        assert values[0] in HTTP_SAMPLE and values[-1] in HTTP_SAMPLE, name
    assert set(HTTP_SAMPLE) <= set(HOSTILE)
