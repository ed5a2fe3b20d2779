"""Check the points ledger: every stored balance equals its entries, every transfer sums to zero.

Cron-ready, e.g. nightly: `manage.py reconcile_points`; exits 1 and lists each mismatch when there is one.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from points.ledger import reconcile


class Command(BaseCommand):
    help = "Report any mismatch in the points ledger; exit non-zero when there is one."

    def handle(self, *args, **options):
        problems = reconcile()
        if not problems:
            self.stdout.write(_("积分账目一致：每个账户的余额等于其记录之和，每笔转账收支相抵。"))
            return
        for line in problems:
            self.stderr.write(line)
        self.stderr.write(_("发现 %(count)d 处不一致。") % {"count": len(problems)})
        sys.exit(1)
