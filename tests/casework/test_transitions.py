"""Every allowed and every refused transition of the case state machine, and the shape of the table."""

import pytest
from django.contrib.auth import get_user_model

from casework.models import CaseEvent, GrievanceReport
from casework.transitions import MACHINE, MODERATOR, WORKER, TransitionError, allowed_actions, perform
from portal.statemachine import Transition
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State


def make_report(world, state=S.SUBMITTED, **kwargs):
    return f.assigned_case(world["grid_a"], world["worker_a"], state=state, **kwargs)


def data_for(action, world, report):
    if action == "dispatch":
        return {"assignee": world["worker_a"]}
    if action == "transfer":
        return {"grid": world["grid_b"]}
    if action == "mark_duplicate":
        return {"duplicate_of": make_report(world)}
    return {}


# Sorted: the sources are sets, whose order changes between processes (pytest-xdist collects in each).
ALLOWED = [(a, s) for a, t in MACHINE.transitions.items() for s in sorted(t.sources)]
REFUSED = [(a, s) for a, t in MACHINE.transitions.items() for s in S.values if s not in t.sources]


@pytest.mark.parametrize("action,state", ALLOWED)
def test_allowed_transition_moves_state_and_records_event(world, action, state):
    report = make_report(world, state=state)
    transition = MACHINE[action]
    role = MODERATOR if MODERATOR in transition.roles else WORKER
    report, event = perform(
        report, action, world["worker_a"], role=role, note="已电话联系并上门查看", **data_for(action, world, report)
    )
    assert report.state == transition.target
    report.refresh_from_db()
    assert report.state == transition.target
    assert event.from_state == state and event.to_state == transition.target
    assert event.actor == world["worker_a"] and event.note == "已电话联系并上门查看"


@pytest.mark.parametrize("action,state", REFUSED)
def test_refused_transition_changes_nothing(world, action, state):
    report = make_report(world, state=state)
    with pytest.raises(TransitionError) as excinfo:
        perform(report, action, world["worker_a"], note="说明", **data_for(action, world, report))
    assert "不能" in excinfo.value.messages[0]
    report.refresh_from_db()
    assert report.state == state
    assert not CaseEvent.objects.filter(report=report).exists()


def test_worker_cannot_take_moderator_actions(world):
    report = make_report(world)
    with pytest.raises(TransitionError, match="角色"):
        perform(report, "accept", world["worker_a"], role=WORKER)
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
    report, _ = perform(report, "transfer", None, note="不属于本网格", grid=world["grid_b"])
    assert report.grid == world["grid_b"] and report.assignee is None and report.state == S.ACCEPTED


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


def test_every_transition_is_a_row_of_one_table_with_its_effect():
    """The table is the whole machine: each row names its effect; every action has a Chinese label."""
    assert all(isinstance(t, Transition) for t in MACHINE.transitions.values())
    with_effect = {action for action, t in MACHINE.transitions.items() if t.effect is not None}
    assert with_effect == {"accept", "mark_duplicate", "dispatch", "transfer", "return", "resolve", "reopen", "close"}
    assert set(MACHINE.transitions) <= set(CaseEvent.Action.values)
    assert all(t.label and t.label != t.action for t in MACHINE.transitions.values())


def test_a_refused_effect_leaves_no_event_and_no_change(world):
    report = make_report(world, state=S.ACCEPTED)
    with pytest.raises(TransitionError, match="网格员"):
        perform(report, "dispatch", None, assignee=None)
    report.refresh_from_db()
    assert report.state == S.ACCEPTED and report.assignee is None
    assert not CaseEvent.objects.filter(report=report).exists()
