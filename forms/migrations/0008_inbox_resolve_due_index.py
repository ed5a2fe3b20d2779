"""An index for the case inbox's default order (办结期限, then id) over all cases.

The superuser inbox (every case) sorts by resolve_due and pk and shows 30 rows: with this
index the database reads those rows in order instead of sorting 100,000. Moderator and
worker inboxes use the existing (community|grid, state, resolve_due) indexes.

Plain SQL without a model state change, so models.py (owned elsewhere) needs no edit and
`makemigrations --check` stays clean; both SQLite and PostgreSQL accept it.
"""

from django.db import migrations

INDEX = "intake_report_inbox_order"


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_rating_on_case_event")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "intake_grievancereport" ("resolve_due", "id")',
            f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]
