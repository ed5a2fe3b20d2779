"""Every allowed and every refused transition of the case state machine."""

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from forms.casework import MODERATOR, TRANSITIONS, WORKER, TransitionError, allowed_actions, perform
from forms.models import CaseCategory, CaseEvent, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
_n = itertools.count(1)


@pytest.fixture
def world():
    community = f.community()
    grid = f.grid(community)
    other_grid = f.grid(community)
    worker = get_user_model().objects.create_user(f"worker{next(_n)}", password="x")
    grid.workers.add(worker)
    return {"grid": grid, "other_grid": other_grid, "worker": worker}


def make_report(world, state=S.SUBMITTED, **kwargs):
    n = next(_n)
    now = timezone.now()
    return GrievanceReport.objects.create(
        reference=f"SJ-20261122-{n:04d}",
        secret_hash=f"{n:064d}",
        submission_key=f"key-{n}",
        category=CaseCategory.objects.get(slug="noise"),
        community=world["grid"].community,
        grid=world["grid"],
        address="幸福里 3 号楼",
        description="楼下烧烤店每晚十一点后还在放音乐",
        accept_due=now + datetime.timedelta(hours=4),
        resolve_due=now + datetime.timedelta(days=7),
        state=state,
        assignee=world["worker"] if state not in (S.SUBMITTED, S.ACCEPTED, S.RETURNED) else None,
        **kwargs,
    )


def data_for(action, world, report):
    if action == "dispatch":
        return {"assignee": world["worker"]}
    if action == "transfer":
        return {"grid": world["other_grid"]}
    if action == "mark_duplicate":
        return {"duplicate_of": make_report(world)}
    return {}


# Sorted: the sources are sets, whose order changes between processes (pytest-xdist collects in each).
ALLOWED = [(a, s) for a, t in TRANSITIONS.items() for s in sorted(t.sources)]
REFUSED = [(a, s) for a, t in TRANSITIONS.items() for s in S.values if s not in t.sources]


@pytest.mark.parametrize("action,state", ALLOWED)
def test_allowed_transition_moves_state_and_records_event(world, action, state):
    report = make_report(world, state=state)
    transition = TRANSITIONS[action]
    role = MODERATOR if MODERATOR in transition.roles else WORKER
    report, event = perform(
        report, action, world["worker"], role=role, note="已电话联系并上门查看", **data_for(action, world, report)
    )
    assert report.state == transition.target
    report.refresh_from_db()
    assert report.state == transition.target
    assert event.from_state == state and event.to_state == transition.target
    assert event.actor == world["worker"] and event.note == "已电话联系并上门查看"


@pytest.mark.parametrize("action,state", REFUSED)
def test_refused_transition_changes_nothing(world, action, state):
    report = make_report(world, state=state)
    with pytest.raises(TransitionError) as excinfo:
        perform(report, action, world["worker"], note="说明", **data_for(action, world, report))
    assert "不能" in excinfo.value.messages[0]
    report.refresh_from_db()
    assert report.state == state
    assert not CaseEvent.objects.filter(report=report).exists()


def test_worker_cannot_take_moderator_actions(world):
    report = make_report(world)
    with pytest.raises(TransitionError, match="角色"):
        perform(report, "accept", world["worker"], role=WORKER)
    assert [t.action for t in allowed_actions(report, WORKER)] == []


def test_actions_that_need_a_note_refuse_without_one(world):
    report = make_report(world)
    with pytest.raises(TransitionError, match="说明"):
        perform(report, "decline", None, note="   ")
    report.refresh_from_db()
    assert report.state == S.SUBMITTED


def test_dispatch_only_to_a_worker_of_the_grid(world):
    report = make_report(world, state=S.ACCEPTED)
    stranger = get_user_model().objects.create_user("stranger", password="x")
    with pytest.raises(TransitionError, match="网格员"):
        perform(report, "dispatch", None, assignee=stranger)


def test_transfer_moves_grid_and_clears_assignee(world):
    report = make_report(world, state=S.DISPATCHED)
    report, _ = perform(report, "transfer", None, note="不属于本网格", grid=world["other_grid"])
    assert report.grid == world["other_grid"] and report.assignee is None and report.state == S.ACCEPTED


def test_accept_sets_resolve_deadline_in_working_days(world):
    report = make_report(world)
    report, _ = perform(report, "accept", None)
    assert report.accepted_at is not None
    assert report.resolve_due > report.accepted_at


def test_unknown_action_is_refused(world):
    with pytest.raises(TransitionError, match="没有这个操作"):
        perform(make_report(world), "teleport", None)


@pytest.mark.parametrize("action", ["dispatch", "transfer", "return"])
def test_staff_instructions_are_internal_unless_marked_public(world, action):
    state = {"dispatch": S.ACCEPTED, "transfer": S.ACCEPTED, "return": S.DISPATCHED}[action]
    report = make_report(world, state=state)
    role = WORKER if action == "return" else MODERATOR
    _, event = perform(report, action, None, role=role, note="请今晚到现场核实", **data_for(action, world, report))
    assert event.public is False


def test_results_and_declines_are_public_by_default(world):
    _, event = perform(make_report(world), "decline", None, note="不属于社区职责范围，已告知反映人拨打 12345")
    assert event.public is True
