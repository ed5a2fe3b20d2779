# How a case reached the office (issue 12, item 1): every case stored before this was sent through
# the public wizard, so each becomes 网上 (online). The column is added empty, filled, then made
# required with a database default, so app servers still on the previous code keep inserting rows
# during a deploy.

from django.db import migrations, models

CHOICES = [
    ('phone', '电话'),
    ('visit', '来访'),
    ('patrol', '网格员巡查'),
    ('online', '网上'),
    ('sentinel', '商户网格哨兵'),
    ('api', '接口(API)'),
]


def existing_cases_came_online(apps, schema_editor):
    Report = apps.get_model('casework', 'GrievanceReport')
    Report.objects.filter(channel__isnull=True).update(channel='online')


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0004_report_area_place_unsure'),
    ]

    operations = [
        migrations.AddField(
            model_name='grievancereport',
            name='channel',
            field=models.CharField(choices=CHOICES, max_length=20, null=True, verbose_name='来源渠道'),
        ),
        migrations.RunPython(existing_cases_came_online, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name='grievancereport',
            name='channel',
            field=models.CharField(choices=CHOICES, db_default='online', default='online', max_length=20, verbose_name='来源渠道'),
        ),
    ]
