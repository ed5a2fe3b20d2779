"""Build (or bring up to date) the demo sub-district: registry, pages, images, settings."""

import time

from django.core.management.base import BaseCommand

from home.demo import build
from home.demo.sub_district import DATASET


class Command(BaseCommand):
    help = "载入演示内容：3 个社区、9 个网格、约 60 家商户、新闻、通知和红黑榜。可重复运行，不会重复创建。"

    def handle(self, *args, verbosity=1, **options):
        started = time.monotonic()
        tally = build.load(DATASET, stdout=self.stdout, verbosity=verbosity)
        created = sum(n for (_, state), n in tally.items() if state == "created")
        updated = sum(n for (_, state), n in tally.items() if state == "updated")
        unchanged = sum(n for (_, state), n in tally.items() if state == "unchanged")
        if verbosity >= 2:
            for (kind, state), n in sorted(tally.items()):
                self.stdout.write(f"  {kind} {state}: {n}")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示内容已就绪（{DATASET.sub_district}）：新建 {created} 项，更新 {updated} 项，"
                f"未变 {unchanged} 项，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
