"""The editorial workflow: 编辑 write and submit, 审核 approve or send back, nobody else publishes.

Everything an editor or moderator does goes through the real admin views with the Django test
client, so the tests break if Wagtail's forms or our group permissions stop letting people work.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, TaskState, Workflow, WorkflowState
from wagtail.permissions import policy_registry
from wagtail.test.utils.form_data import querydict_from_html

from bulletins.models import NewsPage
from tests import factories as f

pytestmark = pytest.mark.django_db

WORKFLOW = "公告审核"
TASK = "审核组审批"


@pytest.fixture
def news_index(home):
    return f.news_index()


@pytest.fixture
def editor():
    return f.editor("xiaoli")


@pytest.fixture
def moderator():
    return f.moderator("shuji")


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("bulletins", "newspage", parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def form_data(response):
    """The admin form as the browser would send it; StreamFields are drawn by JavaScript, so add them empty."""
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    if "body-count" not in data:
        data["body-count"] = "0"
    return data


def create_news(client, parent, action, title="东门社区便民集市圆满举办", **fields):
    """Fill in Wagtail's own add form for a news article and press one of its buttons."""
    form_page = client.get(add_url(parent))
    assert form_page.status_code == 200
    data = form_data(form_page)
    data.update(
        {"title": title, "slug": fields.pop("slug", "bianmin-jishi"), "intro": "商户到院里摆摊，价格不高于店内。"}
    )
    data.update(fields)
    if action:
        data[action] = "1"
    response = client.post(add_url(parent), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return NewsPage.objects.get(slug=data["slug"])


def edit_and_press(client, page, action, **fields):
    form_page = client.get(edit_url(page))
    assert form_page.status_code == 200
    data = form_data(form_page)
    data.update(fields)
    data[action] = "1"
    return client.post(edit_url(page), data)


def current_task_state(page):
    page.refresh_from_db()
    return page.current_workflow_task_state


def workflow_action(client, page, action_name, comment=""):
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action_name, current_task_state(page).pk))
    return client.post(url, {"comment": comment})


def local_input(moment):
    """How the admin's date-time widget writes a moment: local time, minutes."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- What the data migration set up -------------------------------------------------------------


def test_groups_have_exactly_the_permissions_they_need(home):
    editors = Group.objects.get(name="编辑")
    moderators = Group.objects.get(name="审核")

    assert set(editors.permissions.values_list("content_type__app_label", "codename")) == {
        ("wagtailadmin", "access_admin"),
        ("alliance", "view_community"),
        ("alliance", "view_grid"),
        ("alliance", "view_merchant"),
        ("intake", "view_convention"),
        *(("points", f"{action}_activity") for action in ("add", "change", "view")),
        ("points", "add_attendance"),
        ("points", "view_attendance"),
        # Evaluation (evaluation/0002): editors read the rounds they write the honour roll from.
        ("evaluation", "view_evaluationround"),
    }
    assert set(moderators.permissions.values_list("content_type__app_label", "codename")) == {
        ("wagtailadmin", "access_admin"),
        *(
            ("alliance", f"{action}_{model}")
            for action in ("add", "change", "view")
            for model in ("community", "grid", "merchant")
        ),
        *(("intake", f"{action}_convention") for action in ("add", "change", "view")),
        ("casework", "change_casecategory"),
        ("casework", "view_casecategory"),
        *(("casework", f"{action}_calendarday") for action in ("add", "change", "delete", "view")),
        # Volunteer points (points/0005): the secretary keeps the accounts.
        *(("points", f"{action}_activity") for action in ("add", "change", "delete", "view")),
        *(("points", f"{action}_attendance") for action in ("add", "view", "confirm")),
        ("points", "view_account"),
        *(("points", f"{action}_reversalrequest") for action in ("add", "view", "approve")),
        ("points", "add_settlement"),
        ("points", "view_settlement"),
        *(("accounts", codename) for codename in ("add_person", "view_person", "view_person_mobile", "act_for_person")),
        ("accounts", "add_pointscard"),
        ("accounts", "view_pointscard"),
        # Evaluation (evaluation/0002): the secretary sets up rounds and moves them on.
        *(("evaluation", f"{action}_evaluationround") for action in ("add", "change", "view", "manage")),
    }

    def page_perms(group):
        return set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename"))

    assert page_perms(editors) == {(home.pk, "add_page"), (home.pk, "change_page")}
    assert page_perms(moderators) == {
        (home.pk, codename) for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
    }

    collection_perms = {
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    }
    for group in (editors, moderators):
        granted = GroupCollectionPermission.objects.filter(group=group, collection__depth=1)
        assert set(granted.values_list("permission__codename", flat=True)) == collection_perms
        assert GroupCollectionPermission.objects.filter(group=group).count() == len(collection_perms)


def test_wagtails_look_alike_default_groups_and_workflow_are_gone(home):
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert list(Workflow.objects.values_list("name", flat=True)) == [WORKFLOW]


def test_every_bulletin_page_goes_through_the_workflow(home):
    workflow = Workflow.objects.get(name=WORKFLOW)
    assert workflow.active
    assert [t.specific.name for t in workflow.tasks] == [TASK]
    assert list(workflow.tasks.first().specific.groups.values_list("name", flat=True)) == ["审核"]
    pages = [f.news(), f.notice(), f.honour_roll(), f.news_index(), home]
    for page in pages:
        assert page.get_workflow() == workflow, page


def test_staff_group_permissions_on_registry_images_and_documents(editor, moderator):
    for perm in ("alliance.view_merchant", "alliance.view_community", "alliance.view_grid"):
        assert editor.has_perm(perm)
        assert moderator.has_perm(perm)
    for perm in (
        "alliance.add_merchant",
        "alliance.change_merchant",
        "alliance.change_community",
        "alliance.change_grid",
    ):
        assert not editor.has_perm(perm)
        assert moderator.has_perm(perm)
    image_permissions = policy_registry.get_by_type(get_image_model())
    document_permissions = policy_registry.get_by_type(get_document_model())
    for user in (editor, moderator):
        assert not user.has_perm("alliance.delete_merchant")
        assert not user.is_staff and not user.is_superuser
        assert image_permissions.user_has_permission(user, "add")
        assert image_permissions.user_has_permission(user, "choose")
        assert document_permissions.user_has_permission(user, "add")


# --- Editors -----------------------------------------------------------------------------------


def test_editor_can_open_the_admin_and_the_add_form(client, editor, news_index):
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(add_url(news_index)).status_code == 200
    assert client.get(reverse("wagtailimages:index")).status_code == 200


def test_visitors_and_users_outside_the_groups_cannot_open_the_admin(client, django_user_model, news_index):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    resident = django_user_model.objects.create_user("jumin", password="x")
    client.force_login(resident)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_editor_cannot_publish_at_all(editor, moderator, news_index):
    draft = f.news(live=False)
    for page in (draft, news_index):
        perms = page.permissions_for_user(editor)
        assert perms.can_edit()
        assert not perms.can_publish()
        assert not perms.can_unpublish()
    assert news_index.permissions_for_user(editor).can_add_subpage()
    assert not news_index.permissions_for_user(editor).can_publish_subpage()
    assert draft.permissions_for_user(moderator).can_publish()
    assert news_index.permissions_for_user(moderator).can_publish_subpage()


def test_editor_submits_a_draft_for_moderation(client, editor, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")

    assert not page.live
    assert page.live_revision is None
    assert page.workflow_in_progress
    state = page.current_workflow_state
    assert state.workflow.name == WORKFLOW
    assert state.requested_by == editor
    assert current_task_state(page).task.name == TASK
    assert client.get(f"/news/{page.slug}/").status_code == 404  # residents cannot see it yet


def test_editor_pressing_publish_on_a_new_page_only_saves_a_draft(client, editor, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-publish")

    assert not page.live
    assert page.live_revision is None
    assert page.latest_revision is not None
    assert not page.workflow_in_progress


def test_editor_pressing_publish_on_an_existing_draft_does_not_publish(client, editor, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, None)  # plain "save draft"
    response = edit_and_press(client, page, "action-publish", title="十八日便民集市照常举办")

    assert response.status_code == 302  # saved as a draft, back to the editor
    page.refresh_from_db()
    assert page.draft_title == "十八日便民集市照常举办"
    assert not page.live
    assert page.live_revision is None
    assert not page.workflow_in_progress


def test_editor_cannot_change_or_push_through_a_page_awaiting_review(client, editor, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")

    edit_and_press(client, page, "action-publish", title="偷偷改的标题")
    edit_and_press(client, page, "action-workflow-action", **{"workflow-action-name": "approve"})

    page.refresh_from_db()
    assert page.draft_title == "东门社区便民集市圆满举办"  # locked while the moderators look at it
    assert not page.live
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


def test_editor_cannot_approve_their_own_submission(client, editor, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")

    response = workflow_action(client, page, "approve")

    # Wagtail's admin answers a refused action by sending the user back to the dashboard.
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    page.refresh_from_db()
    assert not page.live
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


# --- Moderators --------------------------------------------------------------------------------


def test_moderator_approves_and_the_page_goes_live(client, editor, moderator, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")
    submitted = page.latest_revision

    client.force_login(moderator)
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert page.title in dashboard.content.decode()  # awaiting the moderator's review
    response = workflow_action(client, page, "approve")

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.live_revision == submitted
    assert WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk)).status == "approved"
    public = client.get(page.url)
    assert public.status_code == 200
    assert "东门社区便民集市圆满举办" in public.content.decode()


def test_moderator_can_approve_from_the_edit_view(client, editor, moderator, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")

    client.force_login(moderator)
    response = edit_and_press(client, page, "action-workflow-action", **{"workflow-action-name": "approve"})

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live


def test_moderator_sends_back_with_a_comment_and_the_page_stays_draft(client, editor, moderator, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")
    task_state = current_task_state(page)

    client.force_login(moderator)
    response = workflow_action(client, page, "reject", comment="请补充集市的具体时间和地点。")

    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert page.live_revision is None
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "请补充集市的具体时间和地点。"
    assert task_state.finished_by == moderator
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    # The editor sees the comment in the page's workflow history.
    client.force_login(editor)
    history = client.get(
        reverse("wagtailadmin_pages:workflow_history_detail", args=(page.pk, page.current_workflow_state.pk))
    )
    assert history.status_code == 200
    assert "请补充集市的具体时间和地点。" in history.content.decode()


def test_editor_resubmits_after_changes_and_moderator_approves(client, editor, moderator, news_index):
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit")
    client.force_login(moderator)
    workflow_action(client, page, "reject", comment="标题太长。")

    client.force_login(editor)
    response = edit_and_press(client, page, "action-restart-workflow", title="便民集市圆满举办")
    assert response.status_code == 302
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS

    client.force_login(moderator)
    workflow_action(client, page, "approve")
    page.refresh_from_db()
    assert page.live
    assert page.title == "便民集市圆满举办"


def test_moderator_can_publish_directly(client, moderator, news_index):
    client.force_login(moderator)
    page = create_news(client, news_index, "action-publish")
    assert page.live


# --- Scheduled publishing ----------------------------------------------------------------------


def test_publish_scheduled_publishes_an_approved_revision_when_its_time_comes(home):
    go_live = timezone.now() + datetime.timedelta(hours=2)
    page = f.news(live=False)
    page.go_live_at = go_live
    page.save_revision().publish()  # what approval does: schedule rather than publish

    page.refresh_from_db()
    assert not page.live
    assert page.scheduled_revision.approved_go_live_at == go_live

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not before its time

    with mock.patch("django.utils.timezone.now", return_value=go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert not page.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_publish_scheduled_publishes_a_revision_whose_time_has_passed(home):
    page = f.news(live=False)
    revision = page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=5))

    call_command("publish_scheduled")

    page.refresh_from_db()
    assert page.live
    assert page.live_revision == revision


def test_publish_scheduled_takes_down_expired_pages(home):
    page = f.news()
    Page.objects.filter(pk=page.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))

    call_command("publish_scheduled")

    page.refresh_from_db()
    assert not page.live
    assert page.expired


def test_approved_page_with_a_go_live_time_waits_for_it(client, editor, moderator, news_index):
    go_live = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    client.force_login(editor)
    page = create_news(client, news_index, "action-submit", go_live_at=local_input(go_live))
    client.force_login(moderator)
    workflow_action(client, page, "approve")

    page.refresh_from_db()
    assert not page.live
    assert page.scheduled_revision.approved_go_live_at == go_live

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live

    with mock.patch("django.utils.timezone.now", return_value=go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
