"""An index for the case inbox's default order (办结期限, then id) over all cases.

The superuser inbox (every case) sorts by resolve_due and pk and shows 30 rows: with this
index the database reads those rows in order instead of sorting 100,000. Moderator and
worker inboxes use the existing (community|grid, state, resolve_due) indexes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_rating_on_case_event")]

    operations = [
        migrations.AddIndex(
            model_name="grievancereport",
            index=models.Index(fields=["resolve_due", "id"], name="intake_report_inbox_order"),
        ),
    ]
