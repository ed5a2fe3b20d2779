"""Take back the points residents earned in a year that has ended and did not spend.

Cron-ready, e.g. on 2 January: `manage.py expire_points` or `--year 2026`. Points are valid for
POINTS_VALID_YEARS calendar years (1: to the end of the year they were earned in); by default the
command expires what was earned up to the end of the year that makes them older than that.
Idempotent: a second run expires nothing more. Each expiry is a transfer back to the alliance, not
a deletion.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from points.ledger import expire_year


class Command(BaseCommand):
    help = "Expire residents' unspent points of a finished year (default: last year)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="expire points earned up to the end of this year")

    def handle(self, *args, year=None, **options):
        year = year or timezone.localdate().year - settings.POINTS_VALID_YEARS
        expired = expire_year(year)
        total = sum(points for _account, points in expired)
        self.stdout.write(
            _("%(year)d 年积分到期：%(accounts)d 个账户，共 %(points)d 分回收到联盟积分池。")
            % {"year": year, "accounts": len(expired), "points": total}
        )
