"""A world where every free-text field a resident or merchant fills holds a hostile payload."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.models import Merchant
from forms.application_admin import approve
from forms.models import CaseEvent, GrievanceReport, MerchantApplication, hash_secret
from tests import factories as f

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "T{{7*7}}T"  # rendered by a template engine it would read T49T
FORMULA = '=HYPERLINK("http://x")'

CASE_TEXT = {
    "address": FORMULA + SCRIPT,
    "description": f"{IMG} {TEMPLATE} {SCRIPT}",
    "since": "+cmd" + TEMPLATE,
    "reporter_name": IMG,
    "result": "-1+1" + SCRIPT,
    "rating_comment": "@SUM(A1)" + IMG,
}
APPLICATION_TEXT = {
    "shop_name": FORMULA + SCRIPT,
    "address": "+cmd" + IMG,
    "contact_person": "-1+1" + SCRIPT,
    "opening_hours": "@SUM(A1)" + TEMPLATE + IMG,
    "offers": f"{TEMPLATE}{SCRIPT}{IMG}",
    "signed_name": "-1+1" + SCRIPT,
}
NOTE = f"{TEMPLATE}{SCRIPT}{IMG}"
CASE_SECRET = "case-link-secret-xss"
APPLICATION_SECRET = "application-link-secret-xss"
AMEND_SECRET = "application-amend-secret-xss"


@pytest.fixture
def world(db):
    community = f.community(name="东门社区", slug="dongmen-xss")
    grid = f.grid(community, name="第一网格")
    moderator = f.community_moderator(community, username="moderator")
    worker = f.grid_worker(grid, username="worker")
    editor = f.editor(username="editor")
    superuser = get_user_model().objects.create_superuser("root", "root@example.cn", "correct horse battery")

    now = timezone.now()
    cases = {}
    for state in ("submitted", "accepted", "dispatched", "in_progress", "resolved", "followed_up"):
        extra = {"assignee": worker} if state not in ("submitted", "accepted") else {}
        if state in ("resolved", "followed_up"):
            extra.update(rating="unsatisfied", resolved_at=now)
        cases[state] = f.case(grid, state=state, reporter_mobile="13812345678", **CASE_TEXT, **extra)
    # One overdue case, so the supervision list has a row.
    GrievanceReport.objects.filter(pk=cases["accepted"].pk).update(
        overdue=True, accept_due=now - datetime.timedelta(days=3), resolve_due=now - datetime.timedelta(days=1)
    )
    GrievanceReport.objects.filter(pk=cases["resolved"].pk).update(secret_hash=hash_secret(CASE_SECRET))
    for report in cases.values():
        for public in (True, False):
            CaseEvent.objects.create(
                report=report, action="accept", from_state="submitted", to_state="accepted", note=NOTE, public=public
            )

    approved = f.application(grid_=grid, link_secret=APPLICATION_SECRET, review_note=NOTE, **APPLICATION_TEXT)
    approve(approved, superuser)
    approved.refresh_from_db()
    merchant = approved.merchant
    Merchant.objects.filter(pk=merchant.pk).update(description=NOTE)
    pending = f.application(
        grid_=grid,
        link_secret=AMEND_SECRET,
        credit_code=f.valid_credit_code("91110105MA01XYW91"),
        state=MerchantApplication.State.MORE_INFO,
        review_note=NOTE,
        **APPLICATION_TEXT,
    )
    return {
        "community": community,
        "grid": grid,
        "users": {"superuser": superuser, "moderator": moderator, "worker": worker, "editor": editor},
        "cases": cases,
        "approved": approved,
        "pending": pending,
        "merchant": merchant,
    }
