"""Abuse protection of the public forms: CSRF, honeypot, minimum fill time, per-client submission limits."""

import pytest
from django.test import Client, override_settings

from casework.models import CaseCategory, GrievanceReport
from forms import abuse
from forms.report.views import TRACK_LIMIT
from tests import wizard_driver as driver
from tests.wizard_driver import REPORT, key_of, report_steps

pytestmark = pytest.mark.django_db
PREFIX = REPORT.prefix
WIZARD_SESSION_KEY = f"wizard_{PREFIX}"


def post(client, step, data, key):
    return driver.post_step(client, REPORT, step, data, key)


def walk(client, place, key, photo=False):
    return driver.walk_report(client, place, key, category=CaseCategory.objects.get(slug="cooking_fumes"), photo=photo)


def walk_to_review(client, place, key, extra=None):
    """Every step but the final one; `extra` is added to each post (e.g. a filled honeypot)."""
    steps = report_steps(
        place,
        category=CaseCategory.objects.get(slug="noise"),
        address="幸福里 3 号楼",
        description="楼下烧烤店每晚十一点后还在放音乐",
        contact={"name": "王秀兰", "mobile": "13812345678", "consent": "on"},
    )[:-1]
    for step in steps:
        response = driver.post_step(client, REPORT, step.name, step.fields, key, extra=extra)
        assert response.status_code == 200, response.content.decode()[:500]


def submit_review(client, key, extra=None):
    return driver.post_step(client, REPORT, "review", {"confirm": "on"}, key, extra=extra)


def age_wizard(client, seconds):
    """Pretend the wizard was started `seconds` earlier (the session keeps its start time)."""
    session = client.session
    data = session[WIZARD_SESSION_KEY]
    data["extra_data"][abuse.STARTED_KEY] -= seconds
    session[WIZARD_SESSION_KEY] = data
    session.save()


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/report/", "/track/"])
def test_post_without_csrf_token_is_refused(place, path):
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    response = client.post(path, {"reference": "SJ-20261122-0001", "mobile_last4": "5678"})
    assert response.status_code == 403
    assert GrievanceReport.objects.count() == 0


def test_wizard_form_carries_the_csrf_token(place):
    client = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in client.get("/report/").content.decode()


# --- honeypot -----------------------------------------------------------------------------------


def test_every_step_has_a_hidden_honeypot(client, place):
    key = key_of(client)
    pages = [client.get("/report/").content.decode()]
    category = CaseCategory.objects.get(slug="noise")
    pages.append(post(client, "category", {"category": category.pk}, key).content.decode())
    for page in pages:
        assert 'name="website"' in page and 'tabindex="-1"' in page and 'autocomplete="off"' in page
        # Moved off screen by the .honeypot class (site.css): the CSP forbids inline styles.
        assert '<div class="honeypot" aria-hidden="true">' in page


def test_filled_honeypot_looks_like_success_but_stores_nothing(client, place):
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key, {"website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert GrievanceReport.objects.count() == 0
    # No reference is shown; the thank-you page sends the bot back to the start.
    assert client.get("/report/thanks/")["Location"] == "/report/"


def test_honeypot_filled_on_an_earlier_step_is_remembered(client, place):
    key = key_of(client)
    walk_to_review(client, place, key, extra={"website": "cheap pills"})
    response = submit_review(client, key)
    assert response.status_code == 302 and GrievanceReport.objects.count() == 0


def test_empty_honeypot_is_a_normal_submission(client, place):
    key = key_of(client)
    walk_to_review(client, place, key, extra={"website": ""})
    assert submit_review(client, key).status_code == 302 and GrievanceReport.objects.count() == 1


# --- minimum fill time ----------------------------------------------------------------------------


@override_settings(INTAKE_MIN_FILL_SECONDS=8)
def test_too_fast_is_refused_and_entries_are_kept(client, place):
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key)
    text = response.content.decode()
    assert response.status_code == 200 and "您提交得太快了" in text
    assert GrievanceReport.objects.count() == 0
    assert "幸福里 3 号楼" in text  # the review still shows what was entered
    age_wizard(client, 9)
    response = submit_review(client, key)
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    assert GrievanceReport.objects.get().address == "幸福里 3 号楼"


@override_settings(INTAKE_MIN_FILL_SECONDS=8)
def test_restart_resets_the_clock(client, place):
    key = key_of(client)
    age_wizard(client, 60)
    key = driver.restart_wizard(client).context["submission_key"]
    walk_to_review(client, place, key)
    assert "您提交得太快了" in submit_review(client, key).content.decode()


def test_too_fast_unit():
    with override_settings(INTAKE_MIN_FILL_SECONDS=8):
        assert abuse.too_fast(100.0, now=107.9)
        assert not abuse.too_fast(100.0, now=108.0)
        assert not abuse.too_fast(None, now=108.0)
    with override_settings(INTAKE_MIN_FILL_SECONDS=0):
        assert not abuse.too_fast(100.0, now=100.0)


# --- rate limits ------------------------------------------------------------------------------


@override_settings(INTAKE_SUBMISSION_LIMIT=2)
def test_completed_submissions_are_limited_per_client(place):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert walk(client, place, key_of(client)).status_code == 302
    key = key_of(client)
    walk_to_review(client, place, key)
    response = submit_review(client, key)
    assert response.status_code == 429 and "提交次数过多" in response.content.decode()
    assert GrievanceReport.objects.count() == 2
    # Another address is counted on its own.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert walk(other, place, key_of(other)).status_code == 302
    assert GrievanceReport.objects.count() == 3


@override_settings(INTAKE_SUBMISSION_LIMIT=1)
def test_forged_forwarded_for_does_not_escape_the_limit(place):
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert walk(client, place, key_of(client)).status_code == 302
    key = key_of(client)
    walk_to_review(client, place, key)
    response = client.post(
        "/report/",
        {f"{PREFIX}-current_step": "review", "submission_key": key, "review-confirm": "on"},
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429 and GrievanceReport.objects.count() == 1


def test_track_lookups_limited_per_ip(place):
    first, second = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(TRACK_LIMIT):
        first.post("/track/", {"reference": "SJ-20990101-0001", "mobile_last4": "0000"})
    response = first.post("/track/", {"reference": "SJ-20990101-0001", "mobile_last4": "0000"})
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()
    # Another client is not held back (on another reference: guesses at one reference count from
    # every client together, tests/forms/report/test_tracking.py).
    assert second.post("/track/", {"reference": "SJ-20990101-0002", "mobile_last4": "0000"}).status_code == 200
