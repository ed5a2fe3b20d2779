"""purge_contacts: reporters' contact details are deleted from cases archived long enough ago."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.models import CaseEvent, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_purge_contacts_only_touches_old_closed_cases(world, settings):
    settings.CONTACT_RETENTION_DAYS = 30
    old = f.case(
        world["grid_a"], state=GrievanceReport.State.CLOSED, reporter_name="王秀兰", reporter_mobile="13812345678"
    )
    GrievanceReport.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    recent = f.case(
        world["grid_a"], state=GrievanceReport.State.CLOSED, reporter_name="李四", reporter_mobile="13900001111"
    )
    GrievanceReport.objects.filter(pk=recent.pk).update(closed_at=timezone.now() - datetime.timedelta(days=2))
    open_case = f.case(world["grid_a"], reporter_name="张三", reporter_mobile="13700002222")

    call_command("purge_contacts")
    call_command("purge_contacts")  # idempotent

    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_mobile, old.reporter_email) == ("", "", "")
    assert old.contact_purged_at is not None
    assert CaseEvent.objects.filter(report=old, action="purge_contact").count() == 1
    assert GrievanceReport.objects.get(pk=recent.pk).reporter_mobile == "13900001111"
    assert GrievanceReport.objects.get(pk=open_case.pk).reporter_name == "张三"
