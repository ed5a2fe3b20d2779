"""Remove what abandoned wizards leave behind: temporary photos and expired sessions.

Cron-ready and idempotent, e.g. hourly: `manage.py cleanup_intake`.
"""

import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Delete wizard upload files older than the session lifetime and clear expired sessions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=settings.SESSION_COOKIE_AGE / 3600,
            help="Age after which an unfinished wizard's file is abandoned (default: the session lifetime).",
        )

    def handle(self, *args, older_than_hours, **options):
        storage = storages["wizard_uploads"]
        cutoff = timezone.now() - datetime.timedelta(hours=older_than_hours)
        removed = self._sweep(storage, "", cutoff)
        call_command("clearsessions")
        self.stdout.write(f"已删除 {removed} 个过期的临时文件，并清理过期会话。")

    def _sweep(self, storage, path, cutoff):
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return 0
        removed = 0
        for name in files:
            full = f"{path}/{name}" if path else name
            if storage.get_modified_time(full) < cutoff:
                storage.delete(full)
                removed += 1
        for folder in folders:
            removed += self._sweep(storage, f"{path}/{folder}" if path else folder, cutoff)
        return removed
