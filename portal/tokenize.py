"""Chinese-aware tokenising for the database search backends.

Chinese has no spaces, and Wagtail's database backends index a whole run of characters
as one word, so 油烟 would never match 本店已安装油烟净化器. We index every CJK run as its
single characters plus overlapping character pairs (bigrams), separated by spaces, and
turn queries into the same pairs. Both SQLite FTS5 and PostgreSQL then see ordinary
space-separated words, so results are the same on both.
"""

import re
import unicodedata

# CJK Unified Ideographs (with extension A and compatibility ideographs).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")


def normalise(text):
    """Full-width letters and digits to half-width, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _cjk_pairs(run):
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(*texts):
    """Tokens to index for the given texts: CJK singles and pairs, other words as they are."""
    tokens = []
    for text in texts:
        for run in _RUN.findall(normalise(text)):
            if _CJK_RUN.match(run):
                tokens.extend(run)
                tokens.extend(_cjk_pairs(run))
            else:
                tokens.append(run)
    return " ".join(tokens)


def query_tokens(query):
    """Tokens for a query: a CJK run of two or more becomes its pairs, one character stays."""
    tokens = []
    for run in _RUN.findall(normalise(query)):
        if _CJK_RUN.match(run) and len(run) > 1:
            tokens.extend(_cjk_pairs(run))
        else:
            tokens.append(run)
    # Keep order, drop repeats (重重 would otherwise ask for the same pair twice).
    return list(dict.fromkeys(tokens))
