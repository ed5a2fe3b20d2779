"""Remove what abandoned wizards and crashed submissions leave behind.

- Temporary wizard photos older than the session lifetime (their wizard was abandoned).
- Files in the private storage that no row refers to: a worker killed after writing a case
  photo but before the commit leaves the file while the rollback removes its row. Only files
  older than a grace period go, so a submission still in its transaction keeps its file.
- Expired sessions.

Cron-ready and idempotent, e.g. hourly: `manage.py cleanup_intake`.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Delete wizard upload files older than the session lifetime, private files no record refers to, "
        "and expired sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=settings.SESSION_COOKIE_AGE / 3600,
            help="Age after which an unfinished wizard's file is abandoned (default: the session lifetime).",
        )
        parser.add_argument(
            "--orphan-grace-minutes",
            type=float,
            default=60,
            help="Age after which a private file no record refers to is removed (default: 60; longer than any "
            "submission takes to commit).",
        )

    def handle(self, *args, older_than_hours, orphan_grace_minutes, **options):
        now = timezone.now()
        storage = storages["wizard_uploads"]
        removed = self._sweep(storage, "", now - datetime.timedelta(hours=older_than_hours))
        private = storages["private"]
        orphans = self._sweep(
            private, "", now - datetime.timedelta(minutes=orphan_grace_minutes), keep=self._referenced(private)
        )
        call_command("clearsessions")
        self.stdout.write(f"已删除 {removed} 个过期的临时文件、{orphans} 个无记录的照片文件，并清理过期会话。")

    def _referenced(self, storage):
        """Names of every file a model row stores in `storage`."""
        names = set()
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.FileField) and field.storage is storage:
                    names.update(model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
        return names

    def _sweep(self, storage, path, cutoff, keep=frozenset()):
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return 0
        removed = 0
        for name in files:
            full = f"{path}/{name}" if path else name
            if full not in keep and storage.get_modified_time(full) < cutoff:
                storage.delete(full)
                removed += 1
        for folder in folders:
            removed += self._sweep(storage, f"{path}/{folder}" if path else folder, cutoff, keep)
        return removed
