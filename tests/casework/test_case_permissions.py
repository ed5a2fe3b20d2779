"""Issue 10, item 21: who may take each case action, object by object, through the admin view.

Every action of the transition table is tried by every role on a case of 东门社区's 第一网格 that
was dispatched to worker_a (where the action needs a dispatch) and stands in a state the action
starts from. The community's moderators (and superusers) act as MODERATOR, the assignee as WORKER;
worker_c, a colleague of the same grid, sees the case but may not work it; staff of other grids
and communities do not find it at all (404).
"""

import pytest
from django.urls import reverse

from casework.models import CaseEvent, GrievanceReport
from casework.transitions import MACHINE, MODERATOR, WORKER
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
A = CaseEvent.Action

# The state each action is tried from, and what else its form needs.
SOURCE = {
    A.ACCEPT: S.SUBMITTED,
    A.DECLINE: S.SUBMITTED,
    A.MARK_DUPLICATE: S.ACCEPTED,
    A.DISPATCH: S.ACCEPTED,
    A.TRANSFER: S.DISPATCHED,
    A.RETURN: S.DISPATCHED,
    A.START: S.DISPATCHED,
    A.RESOLVE: S.IN_PROGRESS,
    A.FOLLOW_UP: S.RESOLVED,
    A.REOPEN: S.RESOLVED,
    A.CLOSE: S.FOLLOWED_UP,
}
ROLES = ("superuser", "moderator", "assignee", "colleague", "other_grid_worker", "other_moderator", "editor")
# The role each person acts in on this case; None: the case is not theirs to see.
ACTS_AS = {"superuser": MODERATOR, "moderator": MODERATOR, "assignee": WORKER, "colleague": "colleague"}


def test_every_action_of_the_table_is_covered():
    assert set(SOURCE) == set(MACHINE.transitions)
    assert all(SOURCE[action] in MACHINE[action].sources for action in SOURCE)


@pytest.fixture
def people(world, django_user_model):
    colleague = f.grid_worker(world["grid_a"], username="worker_c")
    return {
        "superuser": django_user_model.objects.create_superuser("root", "root@example.cn", "x"),
        "moderator": world["mod_x"],
        "assignee": world["worker_a"],
        "colleague": colleague,
        "other_grid_worker": world["worker_b"],
        "other_moderator": world["mod_y"],
        "editor": f.editor(),
    }


def form_data(action, world):
    data = {"note": "现场核实后处理", "public": "on"}
    if action == A.DISPATCH:
        data["assignee"] = world["worker_a"].pk
    elif action == A.TRANSFER:
        data["grid"] = world["grid_b"].pk
    elif action == A.MARK_DUPLICATE:
        data["reference"] = "SJ-20261101-0001"
    return {f"{action}-{key}": value for key, value in data.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(SOURCE))
def test_action_by_role(client, world, people, action, role):
    f.case(world["grid_a"], reference="SJ-20261101-0001")  # the original of a duplicate
    state = SOURCE[action]
    assignee = world["worker_a"] if state not in (S.SUBMITTED, S.ACCEPTED) else None
    report = f.case(world["grid_a"], state=state, assignee=assignee)
    client.force_login(people[role])

    response = client.post(reverse("casework:action", args=[report.pk, action]), form_data(action, world))

    report.refresh_from_db()
    acted = CaseEvent.objects.filter(report=report, action=action).exists()
    acts_as = ACTS_AS.get(role)
    if acts_as is None:
        # Not their case: not found (an editor, outside casework, is turned away by the admin).
        assert response.status_code in (403, 404) or response["Location"] == "/admin/", response
        assert (report.state, acted) == (state, False)
        return
    assert response.status_code == 302 and response["Location"] == reverse("casework:detail", args=[report.pk])
    messages = [str(m) for m in response.wsgi_request._messages]
    if acts_as in MACHINE[action].roles:
        assert report.state == MACHINE[action].target and acted, messages
        assert any(f"已{MACHINE[action].label}" in m for m in messages), messages
    else:
        assert (report.state, acted) == (state, False), messages
        assert messages == [f"您的角色不能执行“{MACHINE[action].label}”。"], messages


def test_a_colleague_sees_the_case_and_who_works_it_but_has_nothing_to_do(client, world, people):
    report = f.case(world["grid_a"], state=S.DISPATCHED, assignee=world["worker_a"])
    client.force_login(people["colleague"])
    content = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    assert "data-admin-action" not in content and "data-not-assignee" in content
    assert "这张工单由 worker" in content or "承办" in content
    assert "只有承办人" in content
    client.force_login(people["assignee"])
    content = client.get(reverse("casework:detail", args=[report.pk])).content.decode()
    assert 'data-admin-action="start"' in content and 'data-admin-action="return"' in content


def test_the_role_is_decided_on_the_locked_case(world, people):
    """Re-dispatched between page and click: the old assignee's start is refused under the lock."""
    from casework.permissions import role_for  # noqa: PLC0415 - the function under test
    from casework.transitions import TransitionError, perform  # noqa: PLC0415

    report = f.case(world["grid_a"], state=S.DISPATCHED, assignee=world["worker_a"])
    stale = GrievanceReport.objects.get(pk=report.pk)
    GrievanceReport.objects.filter(pk=report.pk).update(assignee=people["colleague"])
    with pytest.raises(TransitionError):
        perform(stale, A.START, world["worker_a"], role=lambda locked: role_for(world["worker_a"], locked))
    assert GrievanceReport.objects.get(pk=report.pk).state == S.DISPATCHED
    # The new assignee, acting on the same stale copy, is let through.
    perform(stale, A.START, people["colleague"], role=lambda locked: role_for(people["colleague"], locked))
    assert GrievanceReport.objects.get(pk=report.pk).state == S.IN_PROGRESS
