"""Mark cases that passed a deadline as overdue and tell their community moderators (督办).

Cron-ready and idempotent, e.g. every 15 minutes: `manage.py supervise_cases`. A case is
supervised once: the first run that finds it late sets `overdue` and `supervised_at`,
records an internal `supervise` event and emails the moderators; later runs leave it be.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import GrievanceReport
from casework.transitions import supervise


class Command(BaseCommand):
    help = "Flag cases past their accept or resolve deadline as overdue and notify the community moderators."

    def handle(self, *args, **options):
        now = timezone.now()
        due = GrievanceReport.objects.due_for_supervision(now).values_list("pk", flat=True)
        supervised = sum(supervise(pk, now) is not None for pk in due.iterator())
        self.stdout.write(_("督办 %(count)d 张超期工单。") % {"count": supervised})
