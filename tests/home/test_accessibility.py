"""What elderly residents on phones rely on: structure, labels, text size, contrast, no CDN."""

import re
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tests import factories as f

CSS = Path(settings.BASE_DIR, "static", "css", "site.css").read_text(encoding="utf-8")


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def site_pages(db, home):
    """One of each public page this app renders, with images and a form on them."""
    dongmen = f.community(name="东门社区", slug="dongmen")
    g = f.grid(dongmen)
    f.grid_area(g, chief="王秀兰")
    cover = f.image("封面")
    article = f.news(
        title="巷口积水当天解决",
        community=dongmen,
        tags=["排水"],
        feed_image=cover,
        body=f.body(("image", {"image": f.image().pk, "alt": "志愿者清理积水", "caption": ""})),
    )
    f.news(title="相关动态", community=dongmen, feed_image=cover)
    roll = f.honour_roll(
        honours=[(f.merchant(name="老王面馆", community_=dongmen), "red_flag", "好")],
        warnings=[(f.merchant(), "占道经营", False)],
    )
    f.notice(title="便民集市")
    about = f.standard_page(title="组织架构", show_organisation=True)
    f.office_settings(share_image=f.image("分享图"))
    return ["/", "/news/", "/news/?community=dongmen", article.url, "/honour-rolls/", roll.url, about.url, "/nope/"]


def render_all(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        yield url, soup(response)


# --- Structure ----------------------------------------------------------------------


def test_every_page_has_lang_skip_link_and_landmarks(client, site_pages):
    for url, page in render_all(client, site_pages):
        assert page.html["lang"] == "zh-CN", url
        first_link = page.body.find("a")
        assert "skip-link" in first_link["class"], url
        assert first_link["href"] == "#main", url
        assert page.select_one("main#main"), url
        assert page.select_one("header.site-header"), url
        assert page.select_one("nav[aria-label]"), url
        assert page.select_one("footer.site-footer"), url
        assert len(page.select("main")) == 1, url
        assert page.select("h1"), url


def test_every_image_has_alt_text(client, site_pages):
    seen = 0
    for url, page in render_all(client, site_pages):
        for img in page.select("img"):
            seen += 1
            assert img.has_attr("alt"), (url, str(img))
    assert seen >= 3  # covers, a body image: the check is not vacuous


def test_body_images_carry_the_editors_alt_text(client, site_pages):
    article = dict(render_all(client, site_pages[3:4]))[site_pages[3]]

    assert article.select_one('.prose img[alt="志愿者清理积水"]')


def test_every_form_field_has_a_label(client, site_pages):
    seen = 0
    for url, page in render_all(client, site_pages):
        for field in page.select("input, select, textarea"):
            if field.get("type") in ("hidden", "submit", "button"):
                continue
            seen += 1
            labelled = (
                (field.get("id") and page.select_one(f'label[for="{field["id"]}"]'))
                or field.get("aria-label")
                or field.find_parent("label")
            )
            assert labelled, (url, str(field))
    assert seen >= 3


def test_current_section_is_marked_in_the_menu(client, site_pages):
    page = soup(client.get("/news/"))

    assert page.select_one('.site-nav a[aria-current="page"]')["href"] == "/news/"


# --- Large text switch --------------------------------------------------------------


@pytest.mark.django_db
def test_large_text_switch_sets_a_lasting_cookie_and_returns(client, home):
    response = client.get("/text-size/", {"size": "large", "next": "/news/"})

    assert response.status_code == 302
    assert response["Location"] == "/news/"
    cookie = response.cookies["text_size"]
    assert cookie.value == "large"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"

    f.news_index()
    page = soup(client.get("/news/"))
    assert "text-large" in page.html["class"]
    button = page.select_one("form.text-size button")
    assert button["aria-pressed"] == "true"
    assert button["value"] == "normal"


@pytest.mark.django_db
def test_switching_back_clears_the_cookie(client, home):
    client.get("/text-size/", {"size": "large", "next": "/"})

    response = client.get("/text-size/", {"size": "normal", "next": "/"})

    assert response.cookies["text_size"].value == ""
    assert "text-large" not in (soup(client.get("/")).html.get("class") or [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "http://evil.example/news/", ""]
)
def test_switch_never_redirects_off_site(client, home, target):
    response = client.get("/text-size/", {"size": "large", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_switch_keeps_the_query_string_of_the_page(client, home):
    response = client.get("/text-size/", {"size": "large", "next": "/news/?community=dongmen&page=2"})

    assert response["Location"] == "/news/?community=dongmen&page=2"


@pytest.mark.django_db
def test_switch_is_a_plain_form_that_works_without_javascript(client, home):
    form = soup(client.get("/news/?x=1")).select_one("form.text-size")

    assert form["method"] == "get"
    assert form["action"] == "/text-size/"
    assert form.select_one('input[name="next"]')["value"] == "/news/?x=1"
    assert form.select_one('button[name="size"][value="large"]')


@pytest.mark.django_db
def test_switch_cookie_is_secure_over_https(client, home):
    response = client.get("/text-size/", {"size": "large", "next": "/"}, secure=True)

    assert SimpleCookie(response.cookies.output(header=""))["text_size"]["secure"]


# --- No CDN, no web fonts -----------------------------------------------------------


OFF_SITE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def test_no_asset_is_loaded_from_another_site(client, site_pages):
    for url, page in render_all(client, site_pages):
        for tag in page.select("script[src], img[src], iframe[src], source[src], video[src], audio[src]"):
            assert not OFF_SITE.match(tag["src"]), (url, str(tag))
        for tag in page.select("img[srcset], source[srcset]"):
            assert not re.search(r"(https?:)?//", tag["srcset"]), (url, str(tag))
        for tag in page.select("link[href]"):
            rel = set(tag.get("rel", []))
            if rel & {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}:
                assert not OFF_SITE.match(tag["href"]), (url, str(tag))
        for tag in page.select("style"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", tag.get_text()), url


def test_css_loads_nothing_from_elsewhere_and_no_web_fonts():
    assert "@font-face" not in CSS
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)
    assert not re.search(r"@import", CSS)


def test_font_stack_is_chinese_system_fonts():
    stack = re.search(r"--font:\s*([^;]+);", CSS).group(1)

    assert "PingFang SC" in stack and "Microsoft YaHei" in stack and "Noto Sans CJK SC" in stack
    assert stack.strip().endswith("sans-serif")


def _root_font_percent(selector):
    rule = re.search(re.escape(selector) + r"\s*\{[^}]*font-size:\s*([\d.]+)%", CSS)
    return float(rule.group(1))


def test_base_text_is_at_least_16px_and_large_mode_is_larger():
    normal = _root_font_percent("html ")
    large = _root_font_percent("html.text-large")

    assert normal * 16 / 100 >= 16
    assert large * 16 / 100 >= 20
    assert large > normal
    # Nothing shrinks text below 0.85rem (about 15px at the base size).
    for size in re.findall(r"font-size:\s*([\d.]+)rem", CSS):
        assert float(size) >= 0.85


def test_touch_targets_are_at_least_44px():
    for selector in (".site-nav a", "button, .button", ".pagination a", ".more a", ".text-size button", ".quick"):
        block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
        assert block, selector
        assert re.search(r"min-height:\s*44px", block.group(1)), selector


# --- Contrast (WCAG AA: 4.5:1 for text) ---------------------------------------------


def _luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


VARIABLES = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;", CSS))


def colour(value):
    value = value.strip()
    named = {"#fff": "#ffffff", "white": "#ffffff"}
    if match := re.fullmatch(r"var\(--([\w-]+)\)", value):
        value = VARIABLES[match.group(1)]
    return named.get(value, value)


def rules():
    """(selector, declarations) for every plain rule of the stylesheet."""
    for selectors, body in re.findall(r"([^{}@]+)\{([^{}]*)\}", CSS):
        declarations = dict(
            (name.strip(), value.strip()) for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
        )
        yield selectors.strip(), declarations


def test_contrast_helper_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def test_every_rule_that_sets_text_and_background_colours_passes_aa():
    checked = 0
    for selector, declarations in rules():
        background = declarations.get("background") or declarations.get("background-color")
        if "color" not in declarations or not background:
            continue
        try:
            fg, bg = colour(declarations["color"]), colour(background)
        except KeyError:
            continue
        if not (fg.startswith("#") and bg.startswith("#")):
            continue
        checked += 1
        assert contrast(fg, bg) >= 4.5, (selector, fg, bg, round(contrast(fg, bg), 2))
    assert checked >= 8


@pytest.mark.parametrize(
    "fg, bg, where",
    [
        ("var(--ink)", "var(--paper)", "body text"),
        ("var(--muted)", "var(--paper)", "meta text"),
        ("var(--muted)", "var(--tint)", "lead and today on the hero"),
        ("var(--red-dark)", "var(--paper)", "links"),
        ("var(--red-dark)", "var(--tint)", "links and quick-link titles on the hero"),
        ("var(--red-dark)", "#fff4f2", "red-flag holder link and heading"),
        ("var(--muted)", "#fff4f2", "red-flag citation"),
        ("var(--ink)", "#fff4f2", "red-flag text"),
        ("#ffffff", "var(--red)", "header text and brand"),
        ("#ffffff", "var(--red-dark)", "menu links and buttons"),
        ("var(--red)", "#ffffff", "brand mark"),
        ("#ffffff", "#2b2b2b", "footer links"),
        ("var(--ink)", "var(--tint)", "badges and quotes"),
    ],
)
def test_text_colours_on_their_backgrounds_pass_aa(fg, bg, where):
    assert contrast(colour(fg), colour(bg)) >= 4.5, where


def test_focus_outline_is_visible_against_page_and_header():
    focus = colour("var(--focus)")

    assert contrast(focus, colour("var(--paper)")) >= 3
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px", CSS)
    # The blue ring would vanish on the red header and dark footer: white there instead.
    dark_areas = re.search(r"\.site-header :focus-visible, \.site-footer :focus-visible[^{]*\{([^}]*)\}", CSS)
    assert "outline-color: #fff" in dark_areas.group(1)
    assert contrast("#ffffff", colour("var(--red)")) >= 3
    assert contrast("#ffffff", "#2b2b2b") >= 3
