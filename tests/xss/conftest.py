"""A world where every free-text field a resident or merchant fills holds a hostile payload."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.models import Merchant
from casework.models import CaseEvent, GrievanceReport, hash_secret
from forms.apply.transitions import perform
from forms.models import MerchantApplication
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
)


@pytest.fixture
def world(db):
    community = f.community(name="东门社区", slug="dongmen-xss")
    grid = f.grid(community, name="第一网格")
    # Typed by an editor, shown on the public location step, the amend page and the case page.
    area = f.grid_area(grid, name="幸福里" + SCRIPT + IMG, kind="street")
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
        cases[state] = f.case(grid, state=state, area=area, reporter_mobile="13812345678", **CASE_TEXT, **extra)
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
    perform(approved, "approve", superuser)
    approved.refresh_from_db()
    merchant = approved.merchant
    Merchant.objects.filter(pk=merchant.pk).update(description=NOTE)
    pending = f.application(
        grid_=grid,
        area=area,
        link_secret=AMEND_SECRET,
        credit_code=f.valid_credit_code("91110105MA01XYW91"),
        state=MerchantApplication.State.MORE_INFO,
        review_note=NOTE,
        **APPLICATION_TEXT,
    )
    return {
        "community": community,
        "grid": grid,
        "area": area,
        "users": {"superuser": superuser, "moderator": moderator, "worker": worker, "editor": editor},
        "cases": cases,
        "approved": approved,
        "pending": pending,
        "merchant": merchant,
    }
