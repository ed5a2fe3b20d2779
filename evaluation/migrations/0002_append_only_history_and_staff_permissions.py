"""Sheet changes and round events become append-only in the database (portal/appendonly.py), and staff
get their permissions (evaluation/permissions.py): 审核 set up and move rounds; 编辑 read them. A 商会
group opens the admin to the chamber's raters (a round names them one by one) and lets them read rounds."""

from django.db import migrations

from portal import appendonly

TABLES = ["evaluation_sheetchange", "evaluation_roundevent"]
CHAMBER_GROUP = "商会"

GRANTS = {
    "审核": ("add", "change", "view", "manage"),
    "编辑": ("view",),
    CHAMBER_GROUP: ("view",),
}
MANAGE_NAME = "可以开启、公示和定稿评选"


def install(apps, schema_editor):
    for table in TABLES:
        appendonly.install(schema_editor, table)


def uninstall(apps, schema_editor):
    for table in TABLES:
        appendonly.uninstall(schema_editor, table)


def _permission(apps, app_label, model, codename, name):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def _round_permissions(apps, actions):
    return [
        _permission(
            apps, "evaluation", "evaluationround", f"{action}_evaluationround",
            MANAGE_NAME if action == "manage" else f"Can {action} evaluation round",
        )
        for action in actions
    ]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    chamber, _ = Group.objects.get_or_create(name=CHAMBER_GROUP)
    for name, actions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*_round_permissions(apps, actions))
    chamber.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, actions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(*_round_permissions(apps, actions))
    Group.objects.filter(name=CHAMBER_GROUP, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_rounds_sheets_history"),
        ("intake", "0004_grid_worker_group"),
        ("home", "0003_editorial_groups_and_workflow"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]
    operations = [migrations.RunPython(install, uninstall), migrations.RunPython(grant, revoke)]
