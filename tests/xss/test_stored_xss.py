"""Stored XSS: what residents and merchants typed is shown as text, never run, in every view.

Each admin view is rendered as each role (superuser, the community's moderator, the grid's
worker, an editor); every page that answers 200 is parsed and must contain no script element
and no event-handler attribute from a payload, and no evaluated template expression. Views
meant to show the text must show it literally, so a view that silently drops it cannot pass.
"""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from casework.stats import default_period
from forms.models import QuestionnaireField, QuestionnairePage
from tests import factories as f

from .hostile_text import (
    AMEND_SECRET,
    APPLICATION_SECRET,
    APPLICATION_TEXT,
    CASE_SECRET,
    CASE_TEXT,
    IMG,
    NOTE,
    SCRIPT,
    TEMPLATE,
)

ROLES = ("superuser", "moderator", "worker", "editor")
CASEWORKERS = {"superuser", "moderator", "worker"}
REVIEWERS = {"superuser", "moderator"}


def assert_inert(response, where):
    """No payload became markup: parsed, not by substring, so attribute tricks are caught too."""
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        assert "alert(1)" not in script.get_text(), f"{where}: payload ran as a script"
    for tag in soup.find_all(True):
        assert "onerror" not in tag.attrs, f"{where}: <{tag.name} onerror> from a payload"
        assert not (tag.name == "img" and tag.get("src") == "x"), f"{where}: injected <img>"
    assert SCRIPT not in html and IMG not in html, f"{where}: raw payload in the HTML"
    assert "T49T" not in html, f"{where}: a template expression was evaluated"
    return soup


def shows(soup, text):
    """The payload is on the page as text or as an attribute value (a filled-in form field)."""
    if text in soup.get_text():
        return True
    return any(text in str(value) for tag in soup.find_all(True) for value in tag.attrs.values())


def login(client, world, role):
    client.force_login(world["users"][role])
    return client


# --- the case admin -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_case_admin_views_escape_resident_text(client, world, role):
    login(client, world, role)
    cases = world["cases"]
    visible = role in CASEWORKERS
    listing = client.get(reverse("casework:index"))
    assert (listing.status_code == 200) == visible, (role, listing.status_code)
    if visible:
        soup = assert_inert(listing, f"{role} case list")
        assert shows(soup, CASE_TEXT["address"])
        soup = assert_inert(client.get(reverse("casework:index"), {"q": "script"}), f"{role} case search")
        results = client.get(reverse("casework:index_results"))
        assert_inert(results, f"{role} case list results")
    supervision = client.get(reverse("casework:supervision"))
    if supervision.status_code == 200:
        assert role in REVIEWERS
        assert shows(assert_inert(supervision, f"{role} supervision"), CASE_TEXT["address"])
    for state, report in cases.items():
        response = client.get(reverse("casework:detail", args=[report.pk]))
        if not visible:
            assert response.status_code != 200, (role, state)
            continue
        assert response.status_code == 200, (role, state)
        soup = assert_inert(response, f"{role} case detail ({state})")
        for field in ("address", "description", "since", "result"):
            assert shows(soup, CASE_TEXT[field]), (role, state, field)
        assert shows(soup, world["area"].name), (role, state, "street")
        assert shows(soup, NOTE), (role, state, "timeline note")
        assert shows(soup, TEMPLATE)
        # Every action form this role gets on this case is on the page, rendered with it.
        for form in soup.select("form[action*='/action/']"):
            assert form.find("textarea") is not None


@pytest.mark.parametrize("role", ["superuser", "moderator", "worker"])
def test_revealed_contact_and_rating_are_escaped(client, world, role):
    login(client, world, role)
    report = world["cases"]["resolved"]
    assert client.post(reverse("casework:reveal_contact", args=[report.pk])).status_code == 302
    soup = assert_inert(client.get(reverse("casework:detail", args=[report.pk])), f"{role} revealed")
    assert shows(soup, CASE_TEXT["reporter_name"]) and shows(soup, CASE_TEXT["rating_comment"])


@pytest.mark.parametrize(
    "role,state,action,extra",
    [
        ("moderator", "submitted", "decline", {}),
        ("moderator", "submitted", "mark_duplicate", {"reference": "<script>alert(1)</script>"}),
        ("worker", "in_progress", "resolve", {}),
        ("worker", "dispatched", "return", {}),
        ("superuser", "resolved", "follow_up", {}),
    ],
)
def test_actions_with_hostile_notes_show_escaped_messages_and_history(client, world, role, state, action, extra):
    login(client, world, role)
    report = world["cases"][state]
    data = {f"{action}-note": NOTE, f"{action}-public": "on"}
    data.update({f"{action}-{k}": v for k, v in extra.items()})
    response = client.post(reverse("casework:action", args=[report.pk, action]), data, follow=True)
    assert response.status_code == 200
    soup = assert_inert(response, f"{role} {action}")
    assert shows(soup, NOTE)


# --- merchant applications, the merchant registry ---------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_application_admin_escapes_merchant_text(client, world, role):
    login(client, world, role)
    allowed = role in REVIEWERS
    listing = client.get(reverse("applications:index"))
    assert (listing.status_code == 200) == allowed, (role, listing.status_code)
    if allowed:
        assert shows(assert_inert(listing, f"{role} applications"), APPLICATION_TEXT["shop_name"])
        searched = client.get(reverse("applications:index"), {"q": "<script>"})
        assert shows(assert_inert(searched, f"{role} applications search"), "<script>")
    for key in ("approved", "pending"):
        response = client.get(reverse("applications:detail", args=[world[key].pk]), follow=True)
        soup = assert_inert(response, f"{role} application {key}")
        if allowed:
            for field, text in APPLICATION_TEXT.items():
                assert shows(soup, text), (role, key, field)
            assert shows(soup, NOTE)


def test_approval_message_with_hostile_shop_name_is_escaped(client, world):
    client.force_login(world["users"]["moderator"])
    pending = f.application(
        grid_=world["grid"], credit_code=f.valid_credit_code("91110105MA01XYW92"), **APPLICATION_TEXT
    )
    response = client.post(reverse("applications:action", args=[pending.pk, "approve"]), {"note": NOTE}, follow=True)
    soup = assert_inert(response, "approval message")
    assert "已通过" in soup.get_text() and shows(soup, APPLICATION_TEXT["shop_name"])


@pytest.mark.parametrize("role", ROLES)
def test_merchant_snippet_views_escape_merchant_text(client, world, role):
    login(client, world, role)
    merchant = world["merchant"]
    urls = {
        "list": reverse("wagtailsnippets_alliance_merchant:list"),
        "search": reverse("wagtailsnippets_alliance_merchant:list") + "?q=script",
        "edit": reverse("wagtailsnippets_alliance_merchant:edit", args=[merchant.pk]),
        "history": reverse("wagtailsnippets_alliance_merchant:history", args=[merchant.pk]),
    }
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:
            assert role in ("worker", "editor") or name == "history", (role, name, response.status_code)
            continue
        soup = assert_inert(response, f"{role} merchant {name}")
        if name in ("list", "search", "edit"):
            assert shows(soup, APPLICATION_TEXT["shop_name"]), (role, name)
    if role == "superuser":
        assert client.get(urls["edit"]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_and_stats_escape(client, world, role):
    login(client, world, role)
    assert_inert(client.get("/admin/"), f"{role} dashboard")
    stats = client.get(reverse("casework:stats"))
    assert (stats.status_code == 200) == (role in REVIEWERS), (role, stats.status_code)
    if stats.status_code == 200:
        assert_inert(stats, f"{role} stats")


# --- questionnaire submissions ------------------------------------------------------------


@pytest.fixture
def questionnaire(world, client):
    page = QuestionnairePage(title="解放路改造，请您提建议", slug="xss-survey")
    page.form_fields = [
        QuestionnaireField(label="您住在哪个小区", field_type="singleline", required=True, sort_order=0),
        QuestionnaireField(label="其他建议", field_type="multiline", required=False, sort_order=1),
    ]
    f.add_page(f.home_page(), page)
    names = [field.clean_name for field in page.form_fields.all()]
    response = client.post(page.url, {names[0]: '=HYPERLINK("http://x")' + SCRIPT, names[1]: "+cmd" + IMG})
    assert response.status_code == 200
    client.post(page.url, {names[0]: "@SUM(A1)" + TEMPLATE, names[1]: "-1+1"})
    return page


@pytest.mark.parametrize("role", ROLES)
def test_questionnaire_submissions_listing_escapes(client, world, questionnaire, role):
    login(client, world, role)
    for url in ("/admin/forms/", f"/admin/forms/submissions/{questionnaire.pk}/"):
        response = client.get(url)
        if response.status_code != 200:
            assert role != "superuser", (url, response.status_code)
            continue
        soup = assert_inert(response, f"{role} {url}")
        if "submissions" in url:
            assert shows(soup, SCRIPT) and shows(soup, TEMPLATE)


# --- public pages -------------------------------------------------------------------------


def test_public_pages_escape_merchant_and_resident_text(client, world):
    merchant = world["merchant"]
    pages = {
        "directory": ("/merchants/", APPLICATION_TEXT["shop_name"]),
        "directory search": ("/merchants/?q=script", APPLICATION_TEXT["shop_name"]),
        "merchant detail": (f"/merchants/{merchant.pk}/", APPLICATION_TEXT["offers"]),
        "site search": ("/search/?q=alert", APPLICATION_TEXT["shop_name"][:20]),
        "home": ("/", None),
        "case via private link": (f"/track/link/{CASE_SECRET}/", NOTE),
        "application status": (f"/apply/status/{APPLICATION_SECRET}/", APPLICATION_TEXT["shop_name"]),
        "application amend": (f"/apply/amend/{AMEND_SECRET}/", NOTE),
        "application amend's streets": (f"/apply/amend/{AMEND_SECRET}/", world["area"].name),
    }
    for name, (url, expected) in pages.items():
        response = client.get(url, follow=True)  # private links land on the record's own address
        assert response.status_code == 200, (name, response.status_code)
        soup = assert_inert(response, name)
        if expected:
            assert shows(soup, expected), name
    detail = BeautifulSoup(client.get(f"/merchants/{merchant.pk}/").content, "html.parser")
    assert shows(detail, NOTE) and shows(detail, APPLICATION_TEXT["opening_hours"])


def test_tracked_case_page_escapes(client, world):
    report = world["cases"]["resolved"]
    lookup = client.post("/track/", {"reference": report.reference, "mobile_last4": "5678"})
    assert lookup.status_code == 302
    soup = assert_inert(client.get(lookup["Location"]), "tracked case")
    assert shows(soup, NOTE) and shows(soup, CASE_TEXT["result"])


# --- exports: no cell a spreadsheet would run as a formula --------------------------------

FORMULA_STARTS = ("=", "+", "-", "@")


def xlsx_cells(response):

    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def csv_cells(response):

    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [value for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for value in row]


def assert_xlsx_neutral(response, where, expected):
    assert response.status_code == 200, (where, response.status_code)
    cells = xlsx_cells(response)
    values = [str(cell.value) for cell in cells if cell.value is not None]
    for cell in cells:
        assert cell.data_type != "f", f"{where}: {cell.coordinate} is a formula: {cell.value!r}"
    for text in expected:  # the hostile text is there, as plain text (or behind a quote)
        assert any(value.lstrip("'") == text for value in values), (where, text, values)


def assert_csv_neutral(response, where, expected):
    assert response.status_code == 200, (where, response.status_code)
    values = csv_cells(response)
    for value in values:
        assert not value.startswith(FORMULA_STARTS), f"{where}: CSV cell would run as a formula: {value!r}"
    for text in expected:
        assert "'" + text in values, (where, text, values)


MERCHANT_EXPORTED = [APPLICATION_TEXT[k] for k in ("shop_name", "address", "contact_person", "opening_hours")]


def test_merchant_exports_carry_no_formulas(client, world):
    login(client, world, "superuser")
    url = reverse("wagtailsnippets_alliance_merchant:list")
    assert_xlsx_neutral(client.get(url, {"export": "xlsx"}), "merchants xlsx", MERCHANT_EXPORTED)
    assert_csv_neutral(client.get(url, {"export": "csv"}), "merchants csv", MERCHANT_EXPORTED)


def test_stats_export_carries_no_formulas(client, world):
    world["community"].name = '=HYPERLINK("http://x")'
    world["community"].save()
    client.force_login(world["users"]["moderator"])
    start, end = default_period()
    response = client.get(reverse("casework:stats_export"), {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"})
    assert_xlsx_neutral(response, "stats xlsx", ['=HYPERLINK("http://x")'])


def test_questionnaire_xlsx_export_carries_no_formulas(client, world, questionnaire):
    client.force_login(world["users"]["superuser"])
    url = f"/admin/forms/submissions/{questionnaire.pk}/"
    expected = ['=HYPERLINK("http://x")' + SCRIPT, "+cmd" + IMG, "@SUM(A1)" + TEMPLATE, "-1+1"]
    assert_xlsx_neutral(client.get(url, {"export": "xlsx"}), "questionnaire xlsx", expected)


def test_questionnaire_csv_export_carries_no_formulas(client, world, questionnaire):
    client.force_login(world["users"]["superuser"])
    url = f"/admin/forms/submissions/{questionnaire.pk}/"
    expected = ['=HYPERLINK("http://x")' + SCRIPT, "+cmd" + IMG, "@SUM(A1)" + TEMPLATE, "-1+1"]
    assert_csv_neutral(client.get(url, {"export": "csv"}), "questionnaire csv", expected)
