"""The grievance categories of DOMAIN.md with starting time limits staff can edit."""

from django.db import migrations

CATEGORIES = [
    ("noise", "噪音扰民", "商铺音响、机器、装修或夜间经营的声音影响休息", 4, 5),
    ("cooking_fumes", "油烟扰民", "饭店排烟、烧烤油烟影响居民开窗、晾晒", 4, 10),
    ("street_occupation", "占道经营", "店外摆摊、堆放货物占用人行道或消防通道", 4, 3),
    ("drains", "排污管道堵塞", "下水道、化粪池堵塞外溢，污水横流", 2, 3),
    ("parking", "停车", "乱停乱放、占用车位或堵塞通道", 4, 5),
    ("hygiene", "环境卫生", "垃圾堆放、清运不及时、卫生死角", 4, 3),
    ("safety", "安全隐患", "电线私拉乱接、燃气、消防或建筑安全问题", 2, 2),
    ("dispute", "邻里纠纷", "居民与商户、邻居之间的矛盾需要调解", 8, 10),
    ("other", "其他", "以上类别都不合适的问题", 8, 10),
]


def create(apps, schema_editor):
    CaseCategory = apps.get_model("intake", "CaseCategory")
    for order, (slug, name, explanation, hours, days) in enumerate(CATEGORIES):
        CaseCategory.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "explanation": explanation,
                "accept_within_hours": hours,
                "resolve_within_days": days,
                "sort_order": order,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("intake", "CaseCategory").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_grievance_reports")]
    operations = [migrations.RunPython(create, remove)]
