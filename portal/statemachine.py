"""One shape for every state machine of the portal: cases (casework/transitions.py) and merchant
applications (forms/apply/transitions.py).

A machine is a table of Transitions. Each names the states it may start from, the state it
leads to, who may take it, whether it needs a note, and its effect: a function that changes the
locked object before its new state is saved, and may refuse with TransitionError. `perform` is
the one way to move an object: it locks the row, checks the transition, applies the effect, sets
the state, saves, and hands the change to the machine's `record`, the one function of that app
that writes a history row (a CaseEvent, an ApplicationEvent). Code never sets `state` itself.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionError(ValidationError):
    """A refused transition; its message is shown to the person who tried it, as it is."""


@dataclasses.dataclass(frozen=True)
class Transition:
    """One row of a machine's table.

    `action` is a member of the app's Action enum: its label is what people read ("受理").
    `roles` empty means whoever the view lets through (the view checks object permissions).
    """

    action: str
    sources: frozenset
    target: str
    effect: Callable | None = None
    roles: frozenset = frozenset()
    note_required: bool = False
    note_message: str = ""
    public_by_default: bool = True
    # The step that moves the object on from its state: pages offer it first, as the main button.
    primary: bool = False

    @property
    def label(self):
        return getattr(self.action, "label", str(self.action))

    def missing_note_message(self):
        return self.note_message or _("请填写%(action)s的说明。") % {"action": self.label}


@dataclasses.dataclass
class Change:
    """What one perform() call does, handed to the transition's effect and to the machine's record."""

    transition: Transition
    actor: object
    role: str | None
    note: str
    now: datetime.datetime
    from_state: str
    data: dict


class StateMachine:
    """A table of transitions over a model with a `state` field, and the function that records them.

    `record(obj, change)` is called inside the transaction, after the object is saved, and returns
    the history row it wrote; it is also where the app enqueues its notifications (on commit).
    """

    state_refused = _("当前状态为“%(state)s”，不能%(action)s。")
    role_refused = _("您的角色不能执行“%(action)s”。")

    def __init__(self, model, transitions, record, *, state_refused=None):
        self.model = model
        self.transitions = {t.action: t for t in transitions}
        self.record = record
        if state_refused is not None:
            self.state_refused = state_refused

    def __contains__(self, action):
        return action in self.transitions

    def __getitem__(self, action):
        return self.transitions[action]

    def get(self, action):
        return self.transitions.get(action)

    def allowed(self, obj, role=None):
        """The transitions `role` may take from the object's state: primary ones first, then table order."""
        allowed = [t for t in self.transitions.values() if obj.state in t.sources and (not t.roles or role in t.roles)]
        return sorted(allowed, key=lambda t: not t.primary)

    def actions_from(self, state):
        """The actions any role may take from `state`."""
        return {action for action, t in self.transitions.items() if state in t.sources}

    def perform(self, obj, action, actor=None, *, role=None, note="", **data):
        """Apply `action` to `obj` under a row lock; returns (the saved object, the history row).

        `role` may be a function of the locked object: who someone is on a record (its assignee,
        say) can change between the page they clicked on and the click, so the role is decided
        on the row as it stands under the lock.
        """
        transition = self.transitions.get(action)
        if transition is None:
            raise TransitionError(_("没有这个操作。"))
        note = (note or "").strip()
        with transaction.atomic():
            # Locked so two people acting at once cannot both move it from the same state.
            obj = self.model._default_manager.select_for_update().get(pk=obj.pk)
            if callable(role):
                role = role(obj)
            if obj.state not in transition.sources:
                raise TransitionError(
                    self.state_refused % {"state": obj.get_state_display(), "action": transition.label}
                )
            if transition.roles and role not in transition.roles:
                raise TransitionError(self.role_refused % {"action": transition.label})
            if transition.note_required and not note:
                raise TransitionError(transition.missing_note_message())
            change = Change(transition, actor, role, note, timezone.now(), obj.state, data)
            if transition.effect is not None:
                transition.effect(obj, change)
            obj.state = transition.target
            obj.save()
            event = self.record(obj, change)
        return obj, event
