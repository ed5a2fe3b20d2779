"""Let the community secretaries (审核) keep the intake settings: the convention text,
the categories' time limits and the holiday calendar. Editors (编辑) may read the convention."""

from django.db import migrations

MODERATOR_PERMS = [
    ("convention", ("add", "change", "view")),
    ("casecategory", ("change", "view")),
    ("calendarday", ("add", "change", "delete", "view")),
]
EDITOR_PERMS = [("convention", ("view",))]


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    found = []
    for model, actions in spec:
        content_type, _ = ContentType.objects.get_or_create(app_label="intake", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            found.append(permission)
    return found


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in (("审核", MODERATOR_PERMS), ("编辑", EDITOR_PERMS)):
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*_permissions(apps, spec))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in (("审核", MODERATOR_PERMS), ("编辑", EDITOR_PERMS)):
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(*_permissions(apps, spec))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_merchant_applications_questionnaires"),
        ("home", "0003_editorial_groups_and_workflow"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
