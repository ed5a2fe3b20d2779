# The street or building a resident chose, and whether they did not know (issue 10 item 4).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('alliance', '0003_community_moderators'),
        ('casework', '0003_frequency_choices_emergency_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='grievancereport',
            name='area',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reports', to='alliance.gridarea', verbose_name='街巷或楼栋'),
        ),
        migrations.AddField(
            model_name='grievancereport',
            name='place_unsure',
            field=models.BooleanField(db_default=False, default=False, verbose_name='居民不清楚街巷或楼栋'),
        ),
    ]
