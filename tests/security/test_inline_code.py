"""No inline code on the public site: the strict CSP would block it, so it would silently not run.

Rendered pages of every public type are parsed; the template sources are scanned as well, for
branches a test page does not reach.
"""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent.parent
# Script types a browser runs; JSON data blocks (application/json, ld+json) are not executed.
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP (script-src 'self', no inline style) would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_inline_script = False
        self.style_elements = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and not attributes.get("src"):
            if (attributes.get("type") or "").strip().lower() in EXECUTABLE_TYPES:
                self.problems.append(f"line {line}: inline <script>")
                self._in_inline_script = True
        if tag == "style":
            self._in_style = True
            self.style_elements.append("")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"line {line}: <{tag} {name}=…> event handler")
            elif name == "style":
                self.problems.append(f"line {line}: <{tag} style=…> (blocked by style-src)")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: <{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style_elements[-1] += data


def inline_code(html):
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_every_public_page_type_renders_without_inline_code(client, site):
    checked = []
    for kind, url in site.items():
        response = client.get(url)
        assert response.status_code == (404 if kind == "not found" else 200), (kind, url)
        assert response["Content-Type"].startswith("text/html"), kind
        finder = inline_code(response.content.decode())
        assert finder.problems == [], (kind, url, finder.problems)
        assert finder.style_elements == [], (kind, url, "inline <style> element")
        assert "<script" in response.content.decode(), kind  # site.js is there, as a file
        checked.append(kind)
    assert len(checked) == 15


def test_the_parser_finds_what_the_policy_would_block():
    """The checker itself: each kind of inline code is caught, files and JSON data are not."""
    html = """
        <script src="/static/js/site.js" defer></script>
        <script type="application/ld+json">{"@type": "Organization"}</script>
        <script>alert(1)</script>
        <button onclick="go()">去</button>
        <a href=" JavaScript:void(0)">链接</a>
        <div style="color:red">红</div>
    """
    problems = inline_code(html).problems
    assert len(problems) == 4, problems
    assert any("inline <script>" in p for p in problems)
    assert any("onclick" in p for p in problems)
    assert any("javascript:" in p for p in problems)
    assert any("style=" in p for p in problems)


PUBLIC_TEMPLATE_DIRS = [
    REPO / "templates",
    *(REPO / app / "templates" for app in ("portal", "alliance", "bulletins", "casework", "forms", "home", "demo")),
]
# Admin screens run under the admin's own policy (portal/security.py), which allows inline code.
ADMIN_TEMPLATES = re.compile(r"(^|/)(admin|wagtailadmin)/")


def public_templates():
    for folder in PUBLIC_TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")) if folder.exists() else ():
            relative = path.relative_to(folder).as_posix()
            if not ADMIN_TEMPLATES.search(relative):
                yield relative, path


# Error pages that must render with nothing else working keep one inline <style>, allowed by hash.
STANDALONE_PAGES = {"400.html", "500.html", "503.html"}
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)


def test_public_template_sources_hold_no_inline_script_or_handler():
    found = {}
    count = 0
    for name, path in public_templates():
        count += 1
        # Template tags out first: `{% with once=… %}` is not an onclick.
        markup = TEMPLATE_CODE.sub(" ", path.read_text())
        finder = inline_code(markup)
        problems = finder.problems + (
            ["<style> element"] * len(finder.style_elements) if name not in STANDALONE_PAGES else []
        )
        if problems:
            found[name] = problems
    assert count > 30  # the scan really looked at the templates
    assert found == {}


@pytest.mark.parametrize("name", sorted(STANDALONE_PAGES))
def test_a_standalone_error_pages_inline_style_is_allowed_by_its_hash(name):
    finder = inline_code(TEMPLATE_CODE.sub(" ", (REPO / "templates" / name).read_text()))
    assert finder.problems == []
    assert len(finder.style_elements) == 1
    style_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert csp_hash(finder.style_elements[0]) in style_src, f"templates/{name} changed: update its hash in base.py"
    assert "'unsafe-inline'" not in style_src
