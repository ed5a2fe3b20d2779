"""Chinese-aware tokenising for the database search backends.

Chinese has no spaces, and Wagtail's database backends index a whole run of characters
as one word, so 油烟 would never match 本店已安装油烟净化器. We index text as a stream of
space-separated tokens that SQLite FTS5 (unicode61) and PostgreSQL's default parser both
split exactly where we split, so both backends find the same pages:

- a run of Chinese characters becomes its overlapping pairs (bigrams), in order, so a
  two-character query is one token and a longer query is a phrase of consecutive pairs;
- a run of one Chinese character stays a single character;
- every Chinese character of longer runs is added once more on its own, after the
  stream, so one-character queries find something without breaking phrase adjacency;
- other words are lower-cased, stripped of accents and, when they contain a letter,
  suffixed with "0". The suffix makes PostgreSQL see a "numword", which every stock text
  search configuration (english included) passes to the simple dictionary: no stemming
  and no stop words, the way SQLite already behaves, whatever default_text_search_config
  the server has. Digit-only words are left alone; they are never stemmed.
"""

import re
import unicodedata
from dataclasses import dataclass

# Han ideographs: 〇, extension A, the unified block, compatibility ideographs, extensions B–H.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")
WORD_MARK = "0"
# PostgreSQL refuses to index words over 2047 bytes while SQLite keeps them; anything this
# long is not a word a person would search for, so neither side gets it.
MAX_WORD_LENGTH = 60


def normalise(text):
    """Full-width to half-width, case-folded, accents removed from letters."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def words(text):
    """The runs of text as a person reads them: Chinese runs and other words, normalised."""
    return _RUN.findall(normalise(text))


def _word(run):
    return run if run.isascii() and run.isdigit() else run + WORD_MARK


def _pairs(run):
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _scan(text):
    """(stream, singles): ordered tokens that keep adjacency, and the loose characters."""
    stream, singles = [], []
    for run in words(text):
        if _HAN_RUN.fullmatch(run):
            if len(run) == 1:
                stream.append(run)
            else:
                stream.extend(_pairs(run))
                singles.extend(run)
        elif len(run) <= MAX_WORD_LENGTH:
            stream.append(_word(run))
    return stream, singles


def index_tokens(*texts):
    """The text to index for the given texts: the token stream, then each loose character once."""
    stream, singles = [], []
    for text in texts:
        s, c = _scan(text)
        stream.extend(s)
        singles.extend(c)
    return " ".join(stream + list(dict.fromkeys(singles)))


@dataclass(frozen=True)
class ParsedQuery:
    """What a search asks for.

    terms: tokens that must all be present (pairs of each Chinese run, lone characters,
    words). phrase: the consecutive tokens of the whole query, spaces between Chinese
    characters ignored, for ranking exact matches first; empty when it would ask for no
    more than terms already do.
    """

    terms: tuple
    phrase: tuple

    def __bool__(self):
        return bool(self.terms)


def parse_query(query):
    stream, _ = _scan(query)
    terms = tuple(dict.fromkeys(stream))
    # People often type 便民 集市 for 便民集市; the phrase joins them back.
    phrase, _ = _scan(_SPACE_BETWEEN_HAN.sub("", normalise(query)))
    phrase = tuple(phrase)
    if phrase == terms and len(phrase) == 1:
        phrase = ()
    return ParsedQuery(terms=terms, phrase=phrase)


def query_tokens(query):
    """Tokens that must all be present for a page to match the query."""
    return list(parse_query(query).terms)


def contains_phrase(text, parsed):
    """True when text holds the query's phrase (or its only term), as the index would see it."""
    target = parsed.phrase or parsed.terms
    if not target:
        return False
    stream, singles = _scan(text)
    if len(target) == 1:
        return target[0] in stream or target[0] in singles
    n = len(target)
    return any(tuple(stream[i : i + n]) == target for i in range(len(stream) - n + 1))


def contains_terms(text, parsed):
    """True when text holds every term of the query."""
    stream, singles = _scan(text)
    return bool(parsed.terms) and set(parsed.terms) <= set(stream) | set(singles)


# --- Stored tokens, matched with LIKE ------------------------------------------------
# The site search keeps each document's tokens as one text column (home/searchindex.py):
# " stream | loose | loose ", every token between single spaces. A phrase of consecutive
# stream tokens is then the substring " a b c ", and one token anywhere is " a ". The bar is
# never a token, so a phrase can neither run from the stream into the loose characters nor
# along them (an index that saw one stream of words would let 油 烟 match the loose 油 and 烟).
STORED_SEPARATOR = "|"


def stored_tokens(*texts):
    """The texts' tokens as one column of the site search: the stream, then each loose character."""
    stream, singles = [], []
    for text in texts:
        s, c = _scan(text)
        stream.extend(s)
        singles.extend(c)
    return " ".join(["", *stream, STORED_SEPARATOR, f" {STORED_SEPARATOR} ".join(dict.fromkeys(singles)), ""])


def stored_token_set(stored):
    """The distinct tokens of a stored_tokens() value."""
    return set(stored.split()) - {STORED_SEPARATOR}


def stored_fragment(tokens):
    """The substring a stored_tokens() value holds when it holds these consecutive tokens."""
    return " ".join(["", *tokens, ""])
