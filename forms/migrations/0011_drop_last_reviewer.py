"""The last reviewer and time of an application now live in its events (intake/0010)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_application_events")]

    operations = [
        migrations.RemoveField(model_name="merchantapplication", name="reviewed_at"),
        migrations.RemoveField(model_name="merchantapplication", name="reviewer"),
        migrations.AlterField(
            model_name="merchantapplication",
            name="reference",
            field=models.CharField(editable=False, max_length=20, unique=True, verbose_name="编号"),
        ),
    ]
