"""The one state machine of an evaluation round: draft → scoring → published (公示) → final.

Each transition's effect checks what must hold and stamps the dates; `record` is the only code that
writes a RoundEvent, and also puts the move in Wagtail's audit log.
"""

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from casework.workdays import add_working_days
from portal.statemachine import StateMachine, Transition, TransitionError

from .models import EvaluationRound, RoundEvent, State

A = RoundEvent.Action
S = State

__all__ = ["MACHINE", "TransitionError", "perform"]


def _open(round_, change):
    if not round_.shops.exists():
        raise TransitionError(_("请先选择参评商户，再开始评分。"))
    if not round_.community_raters.exists() and not round_.chamber_raters.exists():
        raise TransitionError(_("请先指定社区或商会的评分人，再开始评分。"))


def _publish(round_, change):
    if not round_.sheets.exists():
        raise TransitionError(_("还没有任何评分，不能公示结果。"))
    round_.published_at = change.now
    round_.objections_until = add_working_days(change.now, round_.objection_days)


def _finalise(round_, change):
    if round_.objections_until and change.now < round_.objections_until:
        raise TransitionError(
            _("公示期到 %(until)s 才结束，之后才能定稿。")
            % {"until": date_format(localtime(round_.objections_until), "Y年n月j日 H:i")}
        )
    round_.finalised_at = change.now


def _record(round_, change):
    event = RoundEvent.objects.create(
        round=round_,
        action=change.transition.action,
        from_state=change.from_state,
        to_state=round_.state,
        actor=change.actor,
        note=change.note,
        created_at=change.now,
    )
    if change.actor is not None:
        log(round_, f"evaluation.{change.transition.action}", user=change.actor)
    return event


MACHINE = StateMachine(
    EvaluationRound,
    [
        Transition(A.OPEN, frozenset({S.DRAFT}), S.SCORING, _open, primary=True),
        Transition(A.PUBLISH, frozenset({S.SCORING}), S.PUBLISHED, _publish, primary=True),
        Transition(A.FINALISE, frozenset({S.PUBLISHED}), S.FINAL, _finalise, primary=True),
    ],
    _record,
)


def perform(round_, action, actor, note=""):
    return MACHINE.perform(round_, action, actor, note=note)
