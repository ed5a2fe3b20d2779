"""Hold the admin's Chinese at 100%: every msgid an editor can meet, for the versions we pin.

Run by `make lint`. Lists each source catalogue (Django's, every installed app's, every one of
Wagtail's) with its msgids translated by the apps' own zh_Hans catalogues alone (before) and with
ours in locale/ (after), runs msgfmt --statistics on ours, and fails when a msgid is left in
English, a translation lost a placeholder, or a committed .mo is stale. After an upgrade,
`--missing` prints the new msgids as .po entries to translate into locale/.
"""

import django
import wagtail
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import catalogue


def _share(done, total):
    return f"{done:5} {done / total:6.1%}" if total else f"{done:5}      -"


class Command(BaseCommand):
    help = "Measure the admin's zh-hans translation coverage and fail unless it is complete."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="print untranslated msgids as .po entries")

    def handle(self, *args, missing=False, **options):
        found = catalogue.sources()
        rows = catalogue.coverage(found)
        if missing:
            for row, entry in catalogue.untranslated(rows):
                self.stdout.write(f"# {row.source.domain} {row.source.label}\n{catalogue.format_entry(entry)}\n")
            return
        self.stdout.write(
            f"{settings.LANGUAGE_CODE} coverage, Wagtail {wagtail.__version__}, Django {django.__version__}"
        )
        self.stdout.write(f"{'domain':9} {'catalogue':36} {'msgids':>6} {'before':>12} {'after':>12}")
        for row in rows:
            total = len(row.source.entries)
            self.stdout.write(
                f"{row.source.domain:9} {row.source.label:36} {total:6} "
                f"{_share(len(row.before), total)} {_share(len(row.after), total)}"
            )
        problems = []
        for domain in catalogue.DOMAINS:
            total, before, after = catalogue.domain_totals(rows, domain)
            self.stdout.write(
                f"{domain:9} {'all, each msgid once':36} {total:6} {_share(before, total)} {_share(after, total)}"
            )
            statistics, wrong = catalogue.check_project_catalogue(domain, found)
            self.stdout.write(f"msgfmt --statistics {catalogue.project_catalogue(domain).name}: {statistics}")
            problems += wrong
        problems += [
            f"untranslated [{row.source.domain} {row.source.label}] {entry.msgid!r}"
            for row, entry in catalogue.untranslated(rows)
        ]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problems in the admin catalogue (--missing prints what to translate)")
        self.stdout.write(self.style.SUCCESS("Every admin msgid has its Chinese."))
