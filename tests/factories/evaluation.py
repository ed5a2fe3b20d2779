"""Evaluation rounds and sheets: a round open for scoring today unless told otherwise."""

import datetime

from django.utils import timezone

from evaluation.models import DIMENSION_KEYS, EvaluationRound, Party, ScoreSheet, State

from .alliance import community as make_community
from .alliance import merchant as make_merchant


def evaluation_round(
    title="2027年第一季度",
    shops=(),
    communities=None,
    community_raters=(),
    chamber_raters=(),
    state=State.SCORING,
    **kwargs,
):
    """A round over `communities` (those of `shops` when not given), in `state`, scoring from
    yesterday to ten days from now."""
    today = timezone.localdate()
    kwargs.setdefault("opens_on", today - datetime.timedelta(days=1))
    kwargs.setdefault("closes_on", today + datetime.timedelta(days=10))
    round_ = EvaluationRound.objects.create(title=title, state=state, **kwargs)
    communities = (
        communities or list({shop.community_id: shop.community for shop in shops}.values()) or [make_community()]
    )
    round_.communities.set(communities)
    round_.shops.set(shops)
    round_.community_raters.set(community_raters)
    round_.chamber_raters.set(chamber_raters)
    return round_


def scored_shops(count, community_=None, name="参评商户"):
    community_ = community_ or make_community()
    return [make_merchant(name=f"{name}{i + 1}", community_=community_) for i in range(count)]


def sheet(round_, merchant_, rater, party=Party.COMMUNITY, scores=(8, 8, 8, 8, 8, 8), **remarks):
    """A sheet written straight to the table (the scoring rules are tested through scoring.save_sheet)."""
    values = dict(zip(DIMENSION_KEYS, scores, strict=True))
    values.update({f"{key}_remark": text for key, text in remarks.items()})
    return ScoreSheet.objects.create(round=round_, merchant=merchant_, rater=rater, party=party, **values)
