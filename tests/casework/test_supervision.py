"""supervise_cases: marks late cases once, records one event and emails the moderators once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from casework.models import CaseEvent, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def test_marks_late_cases_once_and_notifies_moderators(world, django_capture_on_commit_callbacks):
    grid = world["grid_a"]
    not_accepted = f.case(grid, accept_due=ago(hours=1))
    not_resolved = f.case(grid, state=S.IN_PROGRESS, accept_due=ago(days=3), resolve_due=ago(hours=2))
    on_time = f.case(grid)
    accepted_late_but_in_time = f.case(grid, state=S.ACCEPTED, accept_due=ago(hours=1))
    resolved_late = f.case(grid, state=S.RESOLVED, accept_due=ago(days=9), resolve_due=ago(days=1))
    declined = f.case(grid, state=S.DECLINED, accept_due=ago(days=9), resolve_due=ago(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("supervise_cases")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("supervise_cases")  # idempotent

    for report in (not_accepted, not_resolved):
        report.refresh_from_db()
        assert report.overdue and report.supervised_at is not None
        event = CaseEvent.objects.get(report=report, action="supervise")
        assert event.public is False and event.from_state == event.to_state == report.state
    for report in (on_time, accepted_late_but_in_time, resolved_late, declined):
        report.refresh_from_db()
        assert not report.overdue and report.supervised_at is None
        assert not CaseEvent.objects.filter(report=report).exists()

    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {world["mod_x"].email}
    assert not_accepted.reference in mail.outbox[0].subject + mail.outbox[1].subject
    # No personal data of the reporter in the email.
    assert all("13812345678" not in m.body and "王秀兰" not in m.body for m in mail.outbox)


def test_supervised_at_is_set_once(world):
    report = f.case(world["grid_a"], accept_due=ago(hours=1))
    call_command("supervise_cases")
    first = GrievanceReport.objects.get(pk=report.pk).supervised_at
    call_command("supervise_cases")
    assert GrievanceReport.objects.get(pk=report.pk).supervised_at == first


def test_case_without_moderator_email_is_still_marked(world, django_capture_on_commit_callbacks):
    world["mod_x"].email = ""
    world["mod_x"].save()
    report = f.case(world["grid_a"], accept_due=ago(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("supervise_cases")
    assert GrievanceReport.objects.get(pk=report.pk).overdue
    assert mail.outbox == []
