"""The 网格员 group: admin access and nothing else; which cases they see comes from Grid.workers."""

from django.db import migrations

GROUP = "网格员"


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    group.permissions.add(access)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_case_photos"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # After Wagtail grants "choose" on images and documents to every group with admin access
        # (its choose-permission migrations): grid workers get admin access and nothing more.
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
    ]
    operations = [migrations.RunPython(create, remove)]
