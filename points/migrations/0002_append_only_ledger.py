"""The ledger's transfers and entries become append-only in the database itself (portal/appendonly.py):
UPDATE and DELETE on them are refused by triggers on SQLite and PostgreSQL alike."""

from django.db import migrations

from portal import appendonly

TABLES = ["points_transfer", "points_entry"]


def install(apps, schema_editor):
    for table in TABLES:
        appendonly.install(schema_editor, table)


def uninstall(apps, schema_editor):
    for table in TABLES:
        appendonly.uninstall(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_ledger_activities_spending")]

    operations = [migrations.RunPython(install, uninstall)]
