"""Move the stored notice occurrences' horizon on (bulletins/occurrences.py).

Cron-ready and idempotent, nightly: `manage.py refresh_notice_occurrences`. Rewrites every live
notice's occurrences from its rule as of now (a year back to a year and a month ahead for a
repeating series) and deletes rows left by notices that are no longer live. Running it twice
writes the same rows; it always exits 0 and says what it did.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from bulletins import scheduling
from bulletins.models import NoticeOccurrence, NoticePage


class Command(BaseCommand):
    help = "Rewrite the stored occurrences of every live notice so repeating series reach a year ahead."

    def handle(self, *args, **options):
        now = timezone.now()
        before = NoticeOccurrence.objects.count()
        notices, rows = NoticeOccurrence.objects.refresh_all(NoticePage.objects.live(), now)
        until = scheduling.local(now + scheduling.UPCOMING_WINDOW + scheduling.STORED_MARGIN).date()
        self.stdout.write(
            _("已更新 %(notices)d 条通知的 %(rows)d 个活动日期（原有 %(before)d 个），重复活动排到 %(until)s。")
            % {"notices": notices, "rows": rows, "before": before, "until": until.isoformat()}
        )
