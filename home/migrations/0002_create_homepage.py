"""Replace Wagtail's placeholder root child with our HomePage and point the site at it."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("home.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    placeholder = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=placeholder, slug="home", depth=2).delete()
    homepage_type, _ = ContentType.objects.get_or_create(app_label="home", model="homepage")
    homepage = HomePage.objects.create(
        title="首页",
        draft_title="首页",
        slug="home",
        content_type=homepage_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        welcome="商户居民一家亲，共建美好街区",
        locale=Locale.objects.order_by("pk").first(),
    )
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=homepage, is_default_site=True, site_name="商居联盟")


def remove_homepage(apps, schema_editor):
    apps.get_model("home.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial")]
    operations = [migrations.RunPython(create_homepage, remove_homepage)]
