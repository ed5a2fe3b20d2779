"""Merchant evaluation in the demo: last quarter's round in 幸福里社区, finished (scored by the
moderator for the community, a chamber rater, and the demo volunteers as residents), so a newcomer
sees a result with its computation at /evaluation/<pk>/ at once; and this quarter's round in scoring,
which the demo moderator can score in the admin (我的评分) and the demo resident on 我的.

The finished round's sheets are written with their history and the round's moves as past events (a
real round would wait out its 公示); this quarter's sheets go through evaluation.scoring.save_sheet.
Scores are derived from the shop and rater names, so every run gives the same result. Found again
by title, a round is not built twice.
"""

import datetime
import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Person
from alliance.models import Community, Merchant
from casework.models import GrievanceReport
from casework.transitions import link_merchant
from evaluation.models import (
    DIMENSION_KEYS,
    EvaluationRound,
    Party,
    RoundEvent,
    ScoreSheet,
    SheetChange,
    State,
)
from evaluation.scoring import save_sheet

from .points import RESIDENT, VOLUNTEERS
from .staff import COMMUNITY_SLUG

SHOP_COUNT = 8
CHAMBER_RATER = ("shanghui", "商会", "评分员")
# How good each shop is, by the position of its name: a spread that gives a clear first, a tie-free
# top three, and one shop under the black-list line.
QUALITY = (9, 8, 8, 7, 7, 6, 5, 4)
REMARKS = {"display": "门前偶有纸箱占道，已提醒", "hygiene": "后厨整洁，油烟净化器运转正常"}


def quarter_of(day):
    return (day.month - 1) // 3 + 1


def quarter_start(day):
    return datetime.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)


def quarter_title(day):
    return f"{day.year}年第{'一二三四'[quarter_of(day) - 1]}季度"


def _score(shop, rater, key, quality):
    """quality ± 1, fixed by the shop, the rater and the dimension."""
    digest = hashlib.sha256(f"{shop.name}|{rater.username}|{key}".encode()).digest()
    return max(0, min(10, quality + digest[0] % 3 - 1))


def _scores(shop, rater, quality):
    values = {key: _score(shop, rater, key, quality) for key in DIMENSION_KEYS}
    for key in DIMENSION_KEYS:
        values[f"{key}_remark"] = REMARKS.get(key, "") if values[key] <= quality - 1 else ""
    return values


def _chamber_rater():
    User = get_user_model()
    username, first, last = CHAMBER_RATER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name="商会"))
    return user


def build_evaluation(tally, staff):
    """Both rounds, dated from today (the round in scoring must be open when someone tries it)."""
    today = timezone.localdate()
    community = Community.objects.get(slug=COMMUNITY_SLUG)
    shops = list(Merchant.objects.members().filter(community=community).order_by("name")[:SHOP_COUNT])
    # The demo volunteers with a mobile, shop staff left out (they may not score shops).
    volunteers = (
        Person.objects.filter(mobile__in=[spec.mobile for spec in VOLUNTEERS if spec.mobile], shops__isnull=True)
        .select_related("user")
        .order_by("mobile")
    )
    residents = [person.user for person in volunteers]
    # The demo resident has not scored this quarter yet: hers to try on 我的.
    others = [person.user for person in volunteers if person.mobile != RESIDENT.mobile]
    chamber = _chamber_rater()
    this_quarter = quarter_start(today)
    last_quarter = quarter_start(this_quarter - datetime.timedelta(days=1))
    _finished_round(tally, community, shops, staff["moderator"], chamber, residents, last_quarter, this_quarter)
    _scoring_round(tally, community, shops, staff["moderator"], chamber, others[:2], this_quarter, today)
    _link_fumes_case(shops, staff["moderator"])


def _new_round(tally, title, community, shops, moderator, chamber, **fields):
    round_ = EvaluationRound.objects.filter(title=title).first()
    if round_ is not None:
        tally[("evaluation round", "unchanged")] += 1
        return None
    round_ = EvaluationRound.objects.create(title=title, **fields)
    round_.communities.set([community])
    round_.shops.set(shops)
    round_.community_raters.set([moderator])
    round_.chamber_raters.set([chamber])
    tally[("evaluation round", "created")] += 1
    return round_


def _finished_round(tally, community, shops, moderator, chamber, residents, starts, next_quarter):
    """Last quarter's round: scored in its last fortnight, 公示 after, final since."""
    closes = next_quarter - datetime.timedelta(days=1)
    opens = closes - datetime.timedelta(days=13)
    scored_at = _at(closes, 17)
    published_at = _at(next_quarter + datetime.timedelta(days=2), 9)
    objections_until = _at(next_quarter + datetime.timedelta(days=9), 18)
    finalised_at = _at(next_quarter + datetime.timedelta(days=10), 10)
    round_ = _new_round(
        tally,
        quarter_title(starts),
        community,
        shops,
        moderator,
        chamber,
        opens_on=opens,
        closes_on=closes,
        state=State.FINAL,
        published_at=published_at,
        objections_until=objections_until,
        finalised_at=finalised_at,
    )
    if round_ is None:
        return
    for number, shop in enumerate(shops):
        quality = QUALITY[number % len(QUALITY)]
        # The sixth shop has only two resident scores: the page shows the residents' weight shared out.
        shop_residents = residents[:2] if number == 5 else residents
        raters = [(moderator, Party.COMMUNITY), (chamber, Party.CHAMBER)] + [
            (r, Party.RESIDENT) for r in shop_residents
        ]
        for rater, party in raters:
            values = _scores(shop, rater, quality)
            sheet = ScoreSheet.objects.create(
                round=round_,
                merchant=shop,
                rater=rater,
                party=party,
                created_at=scored_at,
                updated_at=scored_at,
                **values,
            )
            SheetChange.objects.bulk_create(
                SheetChange(
                    sheet=sheet,
                    dimension=key,
                    new_score=values[key],
                    new_remark=values[f"{key}_remark"],
                    changed_by=rater,
                    changed_at=scored_at,
                )
                for key in DIMENSION_KEYS
            )
            tally[("score sheet", "created")] += 1
    moves = [
        (RoundEvent.Action.OPEN, State.DRAFT, State.SCORING, _at(opens, 9)),
        (RoundEvent.Action.PUBLISH, State.SCORING, State.PUBLISHED, published_at),
        (RoundEvent.Action.FINALISE, State.PUBLISHED, State.FINAL, finalised_at),
    ]
    for action, source, target, at in moves:
        RoundEvent.objects.create(
            round=round_, action=action, from_state=source, to_state=target, actor=moderator, created_at=at
        )


def _scoring_round(tally, community, shops, moderator, chamber, residents, starts, today):
    """This quarter's round, open for scoring since a few days ago; some sheets already in."""
    round_ = _new_round(
        tally,
        quarter_title(starts),
        community,
        shops,
        moderator,
        chamber,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=14),
        state=State.SCORING,
    )
    if round_ is None:
        return
    RoundEvent.objects.create(
        round=round_, action=RoundEvent.Action.OPEN, from_state=State.DRAFT, to_state=State.SCORING, actor=moderator
    )
    # The chamber has scored the first half; two residents have begun. The moderator has not: hers to try.
    for number, shop in enumerate(shops[: len(shops) // 2]):
        quality = QUALITY[number % len(QUALITY)]
        for rater, party in [(chamber, Party.CHAMBER)] + [(r, Party.RESIDENT) for r in residents]:
            save_sheet(round_, shop, rater, party, _scores(shop, rater, quality))
            tally[("score sheet", "created")] += 1


def _link_fumes_case(shops, moderator):
    """The demo's cooking-fumes case is about a restaurant of the round: raters see it beside its sheet."""
    restaurant = next((shop for shop in shops if shop.category == Merchant.Category.RESTAURANT), None)
    report = GrievanceReport.objects.filter(
        community=restaurant.community if restaurant else None, category__slug="cooking_fumes", merchant__isnull=True
    ).first()
    if restaurant is not None and report is not None:
        link_merchant(report, restaurant, moderator)


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
