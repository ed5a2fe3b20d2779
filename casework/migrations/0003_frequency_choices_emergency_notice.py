from django.db import migrations, models

# What residents typed before frequency had choices (the demo data stored labels): each label
# becomes its code, so the admin shows one wording and statistics can group. Anything else is
# kept as typed (the admin then shows it unchanged).
LABELS = {
    "只有一次": "once",
    "一次": "once",
    "几乎每天": "daily",
    "每天": "daily",
    "每周几次": "weekly",
    "偶尔": "occasionally",
}


def forward(apps, schema_editor):
    GrievanceReport = apps.get_model("casework", "GrievanceReport")
    for label, code in LABELS.items():
        GrievanceReport.objects.filter(frequency=label).update(frequency=code)
    CaseCategory = apps.get_model("casework", "CaseCategory")
    CaseCategory.objects.filter(slug="safety").update(emergency_notice=True)


def backward(apps, schema_editor):
    pass  # the codes are valid values of the old free-text field


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_reporter_account"),
    ]

    operations = [
        migrations.AddField(
            model_name="casecategory",
            name="emergency_notice",
            field=models.BooleanField(
                default=False,
                help_text="居民选择这一类时，再次提醒：起火、燃气泄漏等紧急情况请立即拨打 119 / 110 / 120",
                verbose_name="提醒紧急求助电话",
            ),
        ),
        migrations.AlterField(
            model_name="grievancereport",
            name="frequency",
            field=models.CharField(
                blank=True,
                choices=[("once", "只有一次"), ("daily", "几乎每天"), ("weekly", "每周几次"), ("occasionally", "偶尔")],
                max_length=60,
                verbose_name="发生频率",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
