"""Delete reporters' contact details from cases closed long enough ago (个人信息最小化).

Cron-ready and idempotent, e.g. daily: `manage.py purge_contacts`. The retention period is
CONTACT_RETENTION_DAYS (default 180 days after the case was closed).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from forms.models import CaseEvent, GrievanceReport


class Command(BaseCommand):
    help = "Blank the name, mobile and email of reporters of cases closed more than the retention period ago."

    def handle(self, *args, **options):
        days = getattr(settings, "CONTACT_RETENTION_DAYS", 180)
        now = timezone.now()
        due = GrievanceReport.objects.filter(
            state=GrievanceReport.State.CLOSED,
            closed_at__lt=now - datetime.timedelta(days=days),
            contact_purged_at__isnull=True,
        )
        count = 0
        for report in due.iterator():
            with transaction.atomic():
                GrievanceReport.objects.filter(pk=report.pk).update(
                    reporter_name="", reporter_mobile="", reporter_email="", contact_purged_at=now
                )
                CaseEvent.objects.create(
                    report=report,
                    action="purge_contact",
                    from_state=report.state,
                    to_state=report.state,
                    note=f"归档满 {days} 天，已按规定删除反映人联系方式。",
                    public=False,
                    created_at=now,
                )
            count += 1
        self.stdout.write(f"已清除 {count} 张工单的联系方式。")
