"""Who on the staff does what with volunteer points (points/permissions.py):
编辑 run activities and record attendance; 网格员 confirm attendance and read accounts (mobiles masked);
审核 (the community secretary) do all of that and keep the accounts: residents and cards, acting for a
resident at the window, reversals asked and approved, settlements with shops, full mobiles."""

from django.db import migrations

GRANTS = {
    "编辑": [
        ("points", "activity", ("add", "change", "view")),
        ("points", "attendance", ("add", "view")),
    ],
    "网格员": [
        ("points", "attendance", ("view", "confirm")),
        ("points", "account", ("view",)),
    ],
    "审核": [
        ("points", "activity", ("add", "change", "delete", "view")),
        ("points", "attendance", ("add", "view", "confirm")),
        ("points", "account", ("view",)),
        ("points", "reversalrequest", ("add", "view", "approve")),
        ("points", "settlement", ("add", "view")),
        ("accounts", "person", ("add", "view", "view_person_mobile", "act_for_person")),
        ("accounts", "pointscard", ("add", "view")),
    ],
}


# As the models' Meta declares them (post_migrate would create them later, with these names).
CUSTOM_NAMES = {
    "confirm_attendance": "可以复核出勤并发放积分",
    "approve_reversalrequest": "可以复核冲正申请",
    "view_person_mobile": "可以查看居民完整手机号",
    "act_for_person": "可以在柜台代居民办理",
}


def _codename(action, model):
    return action if action.endswith("_person") or action.endswith("_mobile") else f"{action}_{model}"


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    found = []
    for app_label, model, actions in spec:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            codename = _codename(action, model)
            name = CUSTOM_NAMES.get(codename, f"Can {action} {model}")
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            found.append(permission)
    return found


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*_permissions(apps, spec))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, spec in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(*_permissions(apps, spec))


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0004_reversal_requests"),
        ("accounts", "0002_card_pin_lock_and_staff_permissions"),
        ("intake", "0004_grid_worker_group"),
        ("home", "0003_editorial_groups_and_workflow"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
