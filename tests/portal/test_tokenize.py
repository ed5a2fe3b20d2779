import sqlite3

import pytest
from django.db import connection

from portal.tokenize import (
    MAX_WORD_LENGTH,
    contains_phrase,
    contains_terms,
    index_tokens,
    normalise,
    parse_query,
    query_tokens,
)


def test_chinese_run_becomes_pairs_then_loose_characters():
    assert index_tokens("油烟净化器") == "油烟 烟净 净化 化器 油 烟 净 化 器"


def test_one_character_run_stays_in_the_stream():
    assert index_tokens("每月18日，集市") == "每月 18 日 集市 每 月 集 市"


def test_digits_do_not_glue_to_chinese():
    tokens = index_tokens("每月18日便民集市").split()
    assert "18" in tokens
    assert "便民" in tokens
    assert not any("18" in t and t != "18" for t in tokens)


def test_loose_characters_are_listed_once():
    tokens = index_tokens("油烟扰民，油烟净化").split()
    assert tokens.count("油") == 1
    assert tokens.count("油烟") == 2  # pairs keep their positions for phrases


def test_words_are_folded_and_marked_so_no_backend_stems_them():
    assert index_tokens("Free WiFi") == "free0 wifi0"
    assert index_tokens("ＷｉＦｉ") == "wifi0"
    assert index_tokens("Café") == "cafe0"
    assert index_tokens("Markets the") == "markets0 the0"


def test_numbers_stay_numbers():
    assert index_tokens("2026年 １８号") == "2026 年 18 号"


def test_punctuation_and_symbols_are_dropped():
    assert index_tokens("“油烟”！@#￥%……&*（）—+-_=:;'\"<>") == "油烟 油 烟"


def test_overlong_words_are_dropped():
    assert index_tokens("a" * (MAX_WORD_LENGTH + 1) + " ok") == "ok0"


def test_empty_and_none():
    assert index_tokens("", None) == ""
    assert not parse_query("")
    assert not parse_query(None)


def test_normalise_full_width_case_and_accents():
    assert normalise("ＡＢＣ１２３ Naïve") == "abc123 naive"


def test_two_character_query_is_one_term_and_needs_no_phrase():
    parsed = parse_query("油烟")
    assert parsed.terms == ("油烟",)
    assert parsed.phrase == ()


def test_longer_query_is_pairs_plus_a_phrase():
    parsed = parse_query("油烟净化器")
    assert parsed.terms == ("油烟", "烟净", "净化", "化器")
    assert parsed.phrase == ("油烟", "烟净", "净化", "化器")


def test_spaces_between_chinese_words_are_ignored_in_the_phrase():
    parsed = parse_query("便民 集市")
    assert parsed.terms == ("便民", "集市")
    assert parsed.phrase == ("便民", "民集", "集市")


def test_one_character_query():
    parsed = parse_query("面")
    assert parsed.terms == ("面",)
    assert parsed.phrase == ()


def test_repeated_pairs_asked_once():
    assert query_tokens("哈哈哈哈") == ["哈哈"]
    assert parse_query("哈哈哈哈").phrase == ("哈哈", "哈哈", "哈哈")


@pytest.mark.parametrize("junk", ['"', "*", "-", ":", "'", "\\", "%", "()", "！？。，", "\x00", "   "])
def test_query_syntax_characters_give_no_terms(junk):
    assert not parse_query(junk)


def test_query_operators_are_plain_words():
    assert query_tokens('油烟 OR 1=1 AND "集市" NEAR(a b) title:x -y z*') == [
        "油烟",
        "or0",
        "1",
        "and0",
        "集市",
        "near0",
        "a0",
        "b0",
        "title0",
        "x0",
        "y0",
        "z0",
    ]


def test_contains_phrase_and_terms():
    text = "本店已安装油烟净化器"
    assert contains_phrase(text, parse_query("油烟净化"))
    assert contains_phrase(text, parse_query("油烟"))
    assert contains_phrase(text, parse_query("净"))
    assert not contains_phrase("油烟，净化", parse_query("油烟净化"))
    assert contains_terms("油烟，净化", parse_query("油烟净化")) is False  # 烟净 is missing
    assert contains_terms("油烟，烟净了，净化", parse_query("油烟净化"))
    assert not contains_phrase("油烟，烟净了，净化", parse_query("油烟净化"))


def _sqlite_terms(text):
    """The terms SQLite FTS5's default tokenizer (the one modelsearch's table uses) makes of text."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, row)")
        db.execute("INSERT INTO t(body) VALUES (?)", [text])
        return {row[0] for row in db.execute("SELECT term FROM v")}
    finally:
        db.close()


def _postgres_lexemes(text, config=None):
    with connection.cursor() as cursor:
        if config:
            cursor.execute("SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s))", [config, text])
        else:
            # No config: what modelsearch uses unless SEARCH_CONFIG is set.
            cursor.execute("SELECT tsvector_to_array(to_tsvector(%s))", [text])
        return set(cursor.fetchone()[0])


SAMPLE = (
    "本店已安装油烟净化器。每月18日便民集市，老人购物满50元免费送货！Free WiFi for the elderly, markets running 〇 𠀀𠀁"
)


@pytest.mark.django_db
def test_the_database_keeps_our_tokens_as_they_are():
    """Both backends must see exactly our tokens: no splitting, stemming or stop words."""
    tokens = index_tokens(SAMPLE)
    expected = set(tokens.split())
    assert {"油烟", "18", "the0", "markets0", "〇", "𠀀𠀁"} <= expected
    if connection.vendor == "postgresql":
        assert _postgres_lexemes(tokens) == expected
        assert _postgres_lexemes(tokens, "english") == expected
        assert _postgres_lexemes(tokens, "simple") == expected
    else:
        assert connection.vendor == "sqlite"
        assert _sqlite_terms(tokens) == expected
