# The street or building an applicant chose, and whether they did not know (issue 10 item 4).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('alliance', '0003_community_moderators'),
        ('intake', '0012_application_shop_phone'),
    ]

    operations = [
        migrations.AddField(
            model_name='merchantapplication',
            name='area',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='applications', to='alliance.gridarea', verbose_name='街巷或楼栋'),
        ),
        migrations.AddField(
            model_name='merchantapplication',
            name='place_unsure',
            field=models.BooleanField(db_default=False, default=False, verbose_name='申请人不清楚街巷或楼栋'),
        ),
    ]
