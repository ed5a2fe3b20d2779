"""Delete reporters' contact details from cases closed long enough ago (个人信息最小化).

Cron-ready and idempotent, e.g. daily: `manage.py purge_contacts`. The retention period is
CONTACT_RETENTION_DAYS (default 180 days after the case was closed).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import GrievanceReport
from casework.transitions import purge_contact


class Command(BaseCommand):
    help = "Blank the name, mobile and email of reporters of cases closed more than the retention period ago."

    def handle(self, *args, **options):
        days = getattr(settings, "CONTACT_RETENTION_DAYS", 180)
        now = timezone.now()
        due = GrievanceReport.objects.closed_before(now - datetime.timedelta(days=days))
        count = sum(purge_contact(report, days, now) is not None for report in due.iterator())
        self.stdout.write(_("已清除 %(count)d 张工单的联系方式。") % {"count": count})
