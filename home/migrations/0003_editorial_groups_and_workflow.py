"""Editorial groups 编辑 / 审核 and the 公告审核 workflow every page under the home page goes through.

编辑 (editors, community-office staff who write):
    - may open the admin (wagtailadmin.access_admin);
    - add_page and change_page on the home page, so they can write and save drafts anywhere in the
      site and submit them for approval, but not publish_page: publishing is what the workflow is for;
    - add/change/choose images and documents in the root collection, so they can illustrate articles
      and attach PDFs (Wagtail lets the uploader edit and delete what they uploaded themselves);
    - view only on the registry (Community, Grid, Merchant). Articles and notices refer to communities
      and merchants, so editors must see and choose them, but membership, grids and grid workers are
      the community office's records: a writer must not be able to change who is a member.

审核 (moderators, the community secretary):
    - everything editors have, plus publish_page, lock_page and unlock_page on the home page;
    - the only reviewers of the 公告审核 workflow's single task 审核组审批 (approve, or request changes
      with a comment);
    - add/change/view on Community, Grid and Merchant: the secretary keeps the registry current
      (a new member after an approved application, a grid worker leaving). Deleting registry entries
      stays with administrators, because pages, honour rolls and cases point at them.

The workflow is linked to the home page, so it applies to every news article, notice and honour roll
(and standard page) beneath it.

Wagtail's own default groups "Editors" / "Moderators" and its default "Moderators approval" workflow
on the root page are removed while they are still untouched (no members, never used): left in place,
an administrator would see two pairs of look-alike groups, and putting someone in "Moderators" would
silently grant publishing on the whole tree outside our workflow. If they are already in use they
are left alone. The reverse migration deletes what this one added (including the workflow's history)
and recreates Wagtail's defaults in the shape Wagtail's own migrations give them.
"""

from django.conf import settings
from django.db import migrations

EDITORS = "编辑"
MODERATORS = "审核"
WORKFLOW_NAME = "公告审核"
TASK_NAME = "审核组审批"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "change_document", "choose_document"],
}
REGISTRY_MODELS = ["community", "grid", "merchant"]
EDITOR_REGISTRY_ACTIONS = ["view"]
MODERATOR_REGISTRY_ACTIONS = ["add", "change", "view"]

WAGTAIL_DEFAULT_GROUPS = ["Editors", "Moderators"]
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"


def permission(apps, app_label, model, codename):
    """The Permission row, created if post_migrate has not made it yet (fresh database)."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    action = codename.split("_", 1)[0]
    try:
        verbose_name = apps.get_model(app_label, model)._meta.verbose_name_raw
    except LookupError:
        verbose_name = model
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {action} {verbose_name}"}
    )
    return perm


def tree_top(apps):
    """The home page (the whole public site); the root page if there is none."""
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("home.HomePage")
    home = HomePage.objects.order_by("path").first()
    return Page.objects.get(pk=home.pk) if home else Page.objects.get(depth=1)


def root_collection(apps):
    return apps.get_model("wagtailcore.Collection").objects.get(depth=1)


def grant(apps, group, page, page_codenames, registry_actions):
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    group.permissions.add(permission(apps, "wagtailadmin", "admin", "access_admin"))
    for codename in page_codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=permission(apps, "wagtailcore", "page", codename)
        )
    collection = root_collection(apps)
    for (app_label, model), codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission(apps, app_label, model, codename)
            )
    for model in REGISTRY_MODELS:
        for action in registry_actions:
            group.permissions.add(permission(apps, "alliance", model, f"{action}_{model}"))


def remove_untouched_wagtail_defaults(apps):
    Group = apps.get_model("auth.Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowState = apps.get_model("wagtailcore.WorkflowState")
    TaskState = apps.get_model("wagtailcore.TaskState")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    for workflow in Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW):
        if WorkflowState.objects.filter(workflow=workflow).exists():
            continue
        task_ids = list(workflow.workflow_tasks.values_list("task_id", flat=True))
        workflow.delete()  # cascades to its WorkflowPage and WorkflowTask rows
        for task in GroupApprovalTask.objects.filter(pk__in=task_ids, name=WAGTAIL_DEFAULT_WORKFLOW):
            if not TaskState.objects.filter(task_id=task.pk).exists():
                task.delete()
    for group in Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS):
        if not User.objects.filter(groups=group).exists():
            group.delete()


def create_groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    ContentType = apps.get_model("contenttypes.ContentType")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    remove_untouched_wagtail_defaults(apps)

    page = tree_top(apps)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    grant(apps, editors, page, EDITOR_PAGE_PERMISSIONS, EDITOR_REGISTRY_ACTIONS)
    grant(apps, moderators, page, MODERATOR_PAGE_PERMISSIONS, MODERATOR_REGISTRY_ACTIONS)

    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    task.groups.set([moderators])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})


def restore_wagtail_defaults(apps):
    """Wagtail's default groups and workflow as its own migrations leave them on a new site."""
    Group = apps.get_model("auth.Group")
    ContentType = apps.get_model("contenttypes.ContentType")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    Page = apps.get_model("wagtailcore.Page")

    root = Page.objects.get(depth=1)
    collection = root_collection(apps)
    page_codenames = {"Editors": EDITOR_PAGE_PERMISSIONS, "Moderators": MODERATOR_PAGE_PERMISSIONS}
    groups = {}
    for name in WAGTAIL_DEFAULT_GROUPS:
        group, created = Group.objects.get_or_create(name=name)
        groups[name] = group
        if not created:
            continue
        group.permissions.add(permission(apps, "wagtailadmin", "admin", "access_admin"))
        for (app_label, model), codenames in COLLECTION_PERMISSIONS.items():
            for codename in [*codenames, f"delete_{model}"]:
                group.permissions.add(permission(apps, app_label, model, codename))
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission(apps, app_label, model, codename)
                )
        for codename in page_codenames[name]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission(apps, "wagtailcore", "page", codename)
            )

    if not Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).exists():
        task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
        task = GroupApprovalTask.objects.create(name=WAGTAIL_DEFAULT_WORKFLOW, content_type=task_type, active=True)
        task.groups.set([groups["Moderators"]])
        workflow = Workflow.objects.create(name=WAGTAIL_DEFAULT_WORKFLOW, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        if not WorkflowPage.objects.filter(page=root).exists():
            WorkflowPage.objects.create(page=root, workflow=workflow)


def remove_groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Workflow = apps.get_model("wagtailcore.Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    # Cascades to WorkflowPage, WorkflowTask and WorkflowState/TaskState rows.
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    GroupApprovalTask.objects.filter(name=TASK_NAME).delete()
    # Cascades to the groups' page and collection permissions and memberships.
    Group.objects.filter(name__in=[EDITORS, MODERATORS]).delete()
    restore_wagtail_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_create_homepage"),
        ("bulletins", "0001_initial"),
        ("alliance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(create_groups_and_workflow, remove_groups_and_workflow)]
