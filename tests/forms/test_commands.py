import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from forms.models import CaseEvent, GrievanceReport
from tests.forms.test_casework import make_report, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_purge_contacts_only_touches_old_closed_cases(world, settings):  # noqa: F811
    settings.CONTACT_RETENTION_DAYS = 30
    old = make_report(world, state=GrievanceReport.State.CLOSED, reporter_name="王秀兰", reporter_mobile="13812345678")
    GrievanceReport.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    recent = make_report(world, state=GrievanceReport.State.CLOSED, reporter_name="李四", reporter_mobile="13900001111")
    GrievanceReport.objects.filter(pk=recent.pk).update(closed_at=timezone.now() - datetime.timedelta(days=2))
    open_case = make_report(world, reporter_name="张三", reporter_mobile="13700002222")

    call_command("purge_contacts")
    call_command("purge_contacts")  # idempotent

    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_mobile, old.reporter_email) == ("", "", "")
    assert old.contact_purged_at is not None
    assert CaseEvent.objects.filter(report=old, action="purge_contact").count() == 1
    assert GrievanceReport.objects.get(pk=recent.pk).reporter_mobile == "13900001111"
    assert GrievanceReport.objects.get(pk=open_case.pk).reporter_name == "张三"


def test_cleanup_intake_removes_only_abandoned_wizard_files():
    storage = storages["wizard_uploads"]
    old_name = storage.save("abc/old.jpg", ContentFile(b"x"))
    new_name = storage.save("abc/new.jpg", ContentFile(b"y"))
    call_command("cleanup_intake", older_than_hours=0)
    assert not storage.exists(old_name) and not storage.exists(new_name)
    kept = storage.save("fresh.jpg", ContentFile(b"z"))
    call_command("cleanup_intake", older_than_hours=1)
    assert storage.exists(kept)
