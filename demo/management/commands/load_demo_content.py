"""Build (or bring up to date) the demo sub-district: registry, pages, images, settings.

With --scale district, also a whole district on top (demo/district.py): about 90
communities, 1,000 merchants, 2,000 news articles, 500 notices and 100,000 cases.
"""

import logging
import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import build, district
from demo.sub_district import DATASET


class Command(BaseCommand):
    help = (
        "载入演示内容：3 个社区、9 个网格、约 60 家商户、新闻、通知、红黑榜、工单和志愿积分。可重复运行，不会重复创建。"
        "加 --scale district 另建全区规模数据（约 90 个社区、1000 家商户、2000 篇新闻、500 条通知、10 万件工单）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["sub-district", "district"], default="sub-district")
        parser.add_argument("--reset", action="store_true", help="先删除已有的全区规模演示数据再重建")
        parser.add_argument("--cases", type=int, default=100_000, help="全区规模的工单数（默认 100000）")

    def handle(self, *args, verbosity=1, scale="sub-district", reset=False, cases=100_000, **options):
        started = time.monotonic()
        if scale == "district":
            return self.load_district(verbosity, reset, cases, started)
        # The demo cases' SMS notices would flood the `make run` window (the log backend prints each).
        sms_log = logging.getLogger("portal.sms")
        level = sms_log.level
        sms_log.setLevel(logging.WARNING)
        try:
            tally = build.load(DATASET, stdout=self.stdout, verbosity=verbosity)
        finally:
            sms_log.setLevel(level)
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

    def load_district(self, verbosity, reset, cases, started):
        if district.exists():
            if not reset:
                raise CommandError("全区规模演示数据已经存在。要删除后重建，请加 --reset。")
            district.reset()
            self.stdout.write(f"  已删除原有全区规模数据：{time.monotonic() - started:.1f} 秒")
        # The district's pages go under the normal demo's index pages, so build those first.
        build.DemoBuilder(DATASET).build()
        builder = district.DistrictBuilder(cases=cases, stdout=self.stdout if verbosity else None).build()
        # One index rebuild for everything, after the build committed.
        index_started = time.monotonic()
        quiet = StringIO() if verbosity < 2 else self.stdout
        call_command("update_index", verbosity=max(verbosity - 1, 0), stdout=quiet)
        call_command("rebuild_references_index", verbosity=max(verbosity - 1, 0), stdout=quiet)
        call_command("rebuild_search", verbosity=max(verbosity - 1, 0), stdout=quiet)
        if verbosity:
            self.stdout.write(f"  搜索索引：{time.monotonic() - index_started:.1f} 秒")
        c = builder.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"全区规模演示数据已就绪：{c['community']} 个社区、{c['grid']} 个网格、{c['merchant']} 家商户、"
                f"{c['news']} 篇新闻、{c['notice']} 条通知、{c['honour_roll']} 期红黑榜、{c['case']} 件工单"
                f"（{c['case_event']} 条办理记录），用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
