"""Mark cases that passed a deadline as overdue and tell their community moderators (督办).

Cron-ready and idempotent, e.g. every 15 minutes: `manage.py supervise_cases`. A case is
supervised once: the first run that finds it late sets `overdue` and `supervised_at`,
records an internal `supervise` event and emails the moderators; later runs leave it be.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forms.admin_views import late_condition
from forms.models import CaseEvent, GrievanceReport
from forms.notifications import notify_overdue


class Command(BaseCommand):
    help = "Flag cases past their accept or resolve deadline as overdue and notify the community moderators."

    def handle(self, *args, **options):
        now = timezone.now()
        due = GrievanceReport.objects.filter(late_condition(now), supervised_at__isnull=True)
        supervised = 0
        for pk in due.values_list("pk", flat=True).iterator():
            with transaction.atomic():
                # Re-check under a row lock: two overlapping cron runs supervise a case once.
                report = (
                    GrievanceReport.objects.select_for_update(of=("self",))
                    .select_related("community", "grid", "category")
                    .filter(late_condition(now), pk=pk, supervised_at__isnull=True)
                    .first()
                )
                if report is None:
                    continue
                GrievanceReport.objects.filter(pk=pk).update(overdue=True, supervised_at=now, updated_at=now)
                CaseEvent.objects.create(
                    report=report,
                    action="supervise",
                    from_state=report.state,
                    to_state=report.state,
                    note=_("已超过期限，系统已标记超期并通知社区督办。"),
                    public=False,
                    created_at=now,
                )
                notify_overdue(report)  # an email task per moderator, enqueued on commit
            supervised += 1
        self.stdout.write(_("督办 %(count)d 张超期工单。") % {"count": supervised})
