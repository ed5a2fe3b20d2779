"""Site search's own index (home 0004) filled for the pages and merchants already there.

Built from this migration's historical models by home.searchindex, which reads only their fields.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from home import searchindex

    searchindex.rebuild(apps)


def empty(apps, schema_editor):
    apps.get_model("home", "SearchToken").objects.all().delete()
    apps.get_model("home", "SearchEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_search_entries"),
        ("bulletins", "0002_notice_schedule_help_texts"),
        ("alliance", "0004_merchant_phone"),
    ]

    operations = [migrations.RunPython(fill, empty)]
