"""Cases move from the intake app (forms/) to casework/, their own room: state only.

The tables keep their names (`intake_grievancereport`, ...), so no row moves and no SQL runs:
`SeparateDatabaseAndState` records in the migration state that casework owns these models, and
intake/0009 removes them from intake's state. The content types are relabelled intake → casework,
so the permissions granted to groups (审核 keeps 诉求类别 and 节假日调整), Wagtail's log entries
and references keep pointing at the same rows.
"""

import casework.models
import django.db.models.deletion
import django.utils.timezone
import portal.privatefiles
from django.conf import settings
from django.db import migrations, models


MOVED = ["calendarday", "casecategory", "dailysequence", "grievancereport", "caseevent", "casephoto"]


def relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue  # a database migrated without ever creating it (no post_migrate yet)
        # A content type made under the new label meanwhile has no permissions granted yet.
        ContentType.objects.filter(app_label=to_label, model=model).delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, "intake", "casework")


def backwards(apps, schema_editor):
    relabel(apps, "casework", "intake")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("alliance", "0003_community_moderators"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0008_inbox_resolve_due_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='日期')),
                        ('is_workday', models.BooleanField(default=False, help_text='不勾选表示放假；勾选表示调休上班（如周末补班）', verbose_name='是工作日')),
                        ('note', models.CharField(blank=True, help_text='例如：春节、国庆节调休上班', max_length=60, verbose_name='说明')),
                    ],
                    options={
                        'verbose_name': '节假日调整',
                        'verbose_name_plural': '节假日调整',
                        'db_table': 'intake_calendarday',
                        'ordering': ['date'],
                    },
                ),
                migrations.CreateModel(
                    name='CaseCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(max_length=30, unique=True, verbose_name='代码')),
                        ('name', models.CharField(help_text='例如：油烟扰民', max_length=30, unique=True, verbose_name='名称')),
                        ('explanation', models.CharField(help_text='居民选择类别时看到的解释，例如：饭店排烟影响居民开窗、晾晒', max_length=120, verbose_name='一句话说明')),
                        ('accept_within_hours', models.PositiveSmallIntegerField(default=4, help_text='收到后多少个工作小时内必须受理或不予受理', verbose_name='受理时限（工作小时）')),
                        ('resolve_within_days', models.PositiveSmallIntegerField(default=5, help_text='受理后多少个工作日内必须办结', verbose_name='办结时限（工作日）')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                        ('active', models.BooleanField(default=True, verbose_name='启用')),
                    ],
                    options={
                        'verbose_name': '诉求类别',
                        'verbose_name_plural': '诉求类别',
                        'db_table': 'intake_casecategory',
                        'ordering': ['sort_order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DailySequence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prefix', models.CharField(max_length=4)),
                        ('day', models.DateField()),
                        ('last', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'intake_dailysequence',
                        'constraints': [models.UniqueConstraint(fields=('prefix', 'day'), name='unique_sequence_per_day')],
                    },
                ),
                migrations.CreateModel(
                    name='GrievanceReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(editable=False, max_length=20, unique=True, verbose_name='编号')),
                        ('secret_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('submission_key', models.CharField(editable=False, max_length=64, unique=True)),
                        ('address', models.CharField(max_length=200, verbose_name='地点')),
                        ('description', models.TextField(max_length=2000, verbose_name='情况描述')),
                        ('since', models.CharField(blank=True, max_length=60, verbose_name='开始时间')),
                        ('frequency', models.CharField(blank=True, max_length=60, verbose_name='发生频率')),
                        ('anonymous', models.BooleanField(default=False, verbose_name='匿名反映')),
                        ('reporter_name', models.CharField(blank=True, max_length=40, verbose_name='姓名')),
                        ('reporter_mobile', models.CharField(blank=True, max_length=11, verbose_name='手机')),
                        ('reporter_email', models.EmailField(blank=True, max_length=254, verbose_name='电子邮箱')),
                        ('consented_at', models.DateTimeField(blank=True, null=True, verbose_name='同意个人信息告知的时间')),
                        ('state', models.CharField(choices=[('submitted', '待受理'), ('accepted', '已受理'), ('dispatched', '已派单'), ('in_progress', '办理中'), ('returned', '已退单'), ('resolved', '已办结'), ('followed_up', '已回访'), ('closed', '已归档'), ('declined', '不予受理'), ('duplicate', '重复件')], db_index=True, default='submitted', max_length=20, verbose_name='状态')),
                        ('accept_due', models.DateTimeField(verbose_name='受理期限')),
                        ('resolve_due', models.DateTimeField(verbose_name='办结期限')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='受理时间')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='办结时间')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='归档时间')),
                        ('result', models.TextField(blank=True, verbose_name='办理结果')),
                        ('rating', models.CharField(blank=True, choices=[('satisfied', '满意'), ('basically', '基本满意'), ('unsatisfied', '不满意')], max_length=12, verbose_name='评价')),
                        ('rating_comment', models.CharField(blank=True, max_length=500, verbose_name='评价意见')),
                        ('rated_at', models.DateTimeField(blank=True, null=True, verbose_name='评价时间')),
                        ('overdue', models.BooleanField(db_index=True, default=False, verbose_name='超期')),
                        ('supervised_at', models.DateTimeField(blank=True, null=True, verbose_name='督办时间')),
                        ('contact_purged_at', models.DateTimeField(blank=True, null=True, verbose_name='联系方式清除时间')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='提交时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_reports', to=settings.AUTH_USER_MODEL, verbose_name='承办网格员')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='casework.casecategory', verbose_name='类别')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='alliance.community', verbose_name='社区')),
                        ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='casework.grievancereport', verbose_name='重复于')),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='alliance.grid', verbose_name='网格')),
                    ],
                    options={
                        'verbose_name': '民情诉求',
                        'verbose_name_plural': '民情诉求',
                        'db_table': 'intake_grievancereport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CasePhoto',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=200, storage=portal.privatefiles.private_storage, upload_to=casework.models.private_photo_path, verbose_name='照片')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='上传时间')),
                        ('kind', models.CharField(choices=[('report', '反映人照片'), ('result', '办结照片')], default='report', max_length=10, verbose_name='类型')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='casework.grievancereport')),
                    ],
                    options={
                        'verbose_name': '工单照片',
                        'verbose_name_plural': '工单照片',
                        'db_table': 'intake_casephoto',
                        'ordering': ['created_at', 'pk'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='CaseEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('accept', '受理'), ('decline', '不予受理'), ('mark_duplicate', '标记为重复件'), ('dispatch', '派单'), ('transfer', '转办'), ('return', '退单'), ('start', '开始办理'), ('resolve', '办结'), ('follow_up', '回访'), ('reopen', '重办'), ('close', '归档'), ('rate', '反映人评价'), ('supervise', '督办'), ('reveal_contact', '查看完整联系方式'), ('purge_contact', '清除联系方式')], max_length=20, verbose_name='操作')),
                        ('from_state', models.CharField(blank=True, choices=[('submitted', '待受理'), ('accepted', '已受理'), ('dispatched', '已派单'), ('in_progress', '办理中'), ('returned', '已退单'), ('resolved', '已办结'), ('followed_up', '已回访'), ('closed', '已归档'), ('declined', '不予受理'), ('duplicate', '重复件')], max_length=20, verbose_name='原状态')),
                        ('to_state', models.CharField(choices=[('submitted', '待受理'), ('accepted', '已受理'), ('dispatched', '已派单'), ('in_progress', '办理中'), ('returned', '已退单'), ('resolved', '已办结'), ('followed_up', '已回访'), ('closed', '已归档'), ('declined', '不予受理'), ('duplicate', '重复件')], max_length=20, verbose_name='新状态')),
                        ('note', models.TextField(blank=True, max_length=2000, verbose_name='说明')),
                        ('public', models.BooleanField(default=False, verbose_name='对反映人公开')),
                        ('rating', models.CharField(blank=True, choices=[('satisfied', '满意'), ('basically', '基本满意'), ('unsatisfied', '不满意')], max_length=12, verbose_name='评价')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='casework.grievancereport')),
                    ],
                    options={
                        'verbose_name': '办理记录',
                        'verbose_name_plural': '办理记录',
                        'db_table': 'intake_caseevent',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='grievancereport',
                    index=models.Index(fields=['grid', 'state', 'resolve_due'], name='intake_grie_grid_id_a339ee_idx'),
                ),
                migrations.AddIndex(
                    model_name='grievancereport',
                    index=models.Index(fields=['community', 'state', 'resolve_due'], name='intake_grie_communi_dc0694_idx'),
                ),
                migrations.AddIndex(
                    model_name='grievancereport',
                    index=models.Index(fields=['resolve_due', 'id'], name='intake_report_inbox_order'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
