"""A fixed corpus of hostile strings for every free-text field and query parameter.

Fixed (not random) so a failure names the exact string and CI runs are reproducible. Built from
the categories the issue lists, each on its own and combined with Chinese text and with each other.
"""

import itertools

CATEGORIES = {
    "script": [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "</textarea><script>alert('商居')</script>",
        '"><script>alert(document.cookie)</script>',
        "<scr<script>ipt>alert(1)</script>",
        "</title></style></script><script>alert(1)</script>",
        "<svg><script>alert&#40;1&#41;</script></svg>",
    ],
    "event_handler": [
        "<img src=x onerror=alert(1)>",
        '" onmouseover="alert(1)',
        "' onfocus='alert(1)' autofocus='",
        "<body onload=alert(1)>",
        '<a href="javascript:alert(1)">点我领奖</a>',
        "<svg/onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
    ],
    "nul": ["\x00", "老王面馆\x00", "\x00<script>", "a\x00b", "13812345678\x00"],
    "rtl_override": ["\u202e", "\u202egpj.exe", "王秀兰\u202e", "\u202dLTR\u202c", "\u2067隔离\u2069", "\u200f\u200e"],
    "zero_width": [
        "\u200b",
        "\u200b\u200c\u200d\ufeff",
        "老\u200b王\u200d面馆",
        "\ufeff13812345678",
        "\u2060\u180e",
    ],
    "long": ["字" * 10000, "a" * 10000, "<" * 10000, "解放路 18 号 " * 1000],
    "full_width_digits": [
        "１３８１２３４５６７８",
        "ＳＪ－２０２６１１２２－００４２",
        "１２３４",
        "９１１１０１０５ＭＡ０１ＡＢＣＤ１Ｘ",
        "解放路１８号",
        "\u3000\u3000幸福里\u3000",
    ],
    "emoji": ["😀", "👨‍👩‍👧‍👦", "🇨🇳", "老王面馆🍜", "🏳️‍🌈", "🔥" * 50],
    "sql": [
        "' OR '1'='1",
        "'; DROP TABLE intake_grievancereport; --",
        "1; SELECT pg_sleep(0)--",
        "%",
        "_",
        "\\",
        "' UNION SELECT password FROM auth_user --",
        "%' AND 1=1 --",
    ],
    "template": [
        "{{ request.user }}",
        "{% debug %}",
        "{{ settings.SECRET_KEY }}",
        "${7*7}",
        "{{7*7}}",
        "#{7*7}",
        "<%= 7*7 %>",
        "{# 注释 #}",
        "{% load static %}{% static 'x' %}",
    ],
}

_PLAIN = ["解放路", "老王面馆", "王秀兰"]


def _combinations():
    """Chinese text around each string, and one string of each category glued to the next."""
    out = []
    for name, values in CATEGORIES.items():
        if name == "long":
            continue
        for value in values[:3]:
            out.append(f"{_PLAIN[len(out) % 3]}{value}{_PLAIN[(len(out) + 1) % 3]}")
    names = [n for n in CATEGORIES if n != "long"]
    for a, b in itertools.pairwise(names + names[:1]):
        out.append(CATEGORIES[a][0] + CATEGORIES[b][-1])
    # Everything at once, and long strings built from the dangerous ones.
    out.append("".join(values[0] for name, values in CATEGORIES.items() if name != "long"))
    out.append("<script>alert(1)</script>" * 400)
    out.append("\u202e\u200b😀１" * 2500)
    out.append("  \t前后有空白\r\n  ")
    out.append("第一行\r\n第二行\n第三行\r")
    return out


def _build():
    seen, corpus = set(), []
    for value in itertools.chain(*CATEGORIES.values(), _combinations()):
        if value not in seen:
            seen.add(value)
            corpus.append(value)
    return corpus


HOSTILE = _build()

# Through the real pages every string costs a wizard walk (8-10 requests): the full corpus runs
# per field at form level (test_hostile_forms.py); the HTTP walks take the first and last string of
# each category plus every fourth combination, which keeps the suite inside its time budget.
HTTP_SAMPLE = list(
    dict.fromkeys(
        [value for values in CATEGORIES.values() for value in (values[0], values[-1])]
        + [value for value in _combinations() if value in HOSTILE][::4]
    )
)


def label(value):
    """A short, printable pytest id for a corpus string."""
    index = HOSTILE.index(value)
    shown = value[:20].encode("unicode_escape").decode("ascii")
    return f"{index:03d}-{shown}"
