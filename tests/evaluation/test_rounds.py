"""Rounds in the admin: set up by 审核 with Chinese validation (weights sum to 100, dates in order,
shops of the chosen communities), rules locked once scoring begins, and the one state machine
draft → scoring → 公示 → final with its refusals, its history (append-only) and the audit log."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from evaluation import transitions
from evaluation.models import EvaluationRound, RoundEvent, State
from tests import factories as f

pytestmark = pytest.mark.django_db
ADD = "/admin/snippets/evaluation/evaluationround/add/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def round_data(community_, shops, raters, **overrides):
    data = {
        "title": "2027年第一季度",
        "communities": [community_.pk],
        "shops": [s.pk for s in shops],
        "opens_on": "2027-03-20",
        "closes_on": "2027-03-31",
        "objection_days": "5",
        "weight_hygiene": "20",
        "weight_service": "20",
        "weight_honesty": "20",
        "weight_safety": "15",
        "weight_display": "15",
        "weight_contribution": "10",
        "weight_community": "40",
        "weight_chamber": "30",
        "weight_resident": "30",
        "scale_max": "10",
        "min_resident_scores": "3",
        "top_count": "3",
        "black_list_below": "60",
        "community_raters": [u.pk for u in raters],
        "chamber_raters": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def setup(db):
    community_ = f.community(name="幸福里社区")
    shops = [f.merchant(name="老王粮油店", community_=community_), f.merchant(name="丝艺理发店", community_=community_)]
    return community_, shops, f.moderator("secretary")


def test_a_secretary_adds_a_round(setup):
    community_, shops, secretary = setup
    response = logged_in(secretary).post(ADD, round_data(community_, shops, [secretary]))
    assert response.status_code == 302, response.content.decode()[:3000]
    round_ = EvaluationRound.objects.get()
    assert round_.state == State.DRAFT
    assert set(round_.shops.all()) == set(shops)
    assert list(round_.community_raters.all()) == [secretary]


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"weight_hygiene": "30"}, "六个评分维度的权重之和须为 100，现在是 110。"),
        ({"weight_resident": "20"}, "社区、商会、居民三方的权重之和须为 100，现在是 90。"),
        ({"closes_on": "2027-03-01"}, "截止评分日期不能早于开始评分日期。"),
        ({"scale_max": "0"}, "满分须在 1 到 100 之间。"),
        ({"black_list_below": "120"}, "黑榜分数线须在 0 到 100 之间。"),
        ({"objection_days": "0"}, "公示期须在 1 到 30 个工作日之间。"),
    ],
)
def test_wrong_settings_are_refused_in_chinese(setup, overrides, message):
    community_, shops, secretary = setup
    response = logged_in(secretary).post(ADD, round_data(community_, shops, [secretary], **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvaluationRound.objects.exists()


def test_a_shop_of_another_community_is_refused(setup):
    community_, shops, secretary = setup
    elsewhere = f.merchant(name="外区小卖部")
    response = logged_in(secretary).post(ADD, round_data(community_, [*shops, elsewhere], [secretary]))
    assert "这些商户不在所选社区：外区小卖部" in response.content.decode()
    assert not EvaluationRound.objects.exists()


def test_residents_are_not_offered_as_staff_raters(setup):
    community_, shops, secretary = setup
    resident = f.person(name="王秀兰")
    response = logged_in(secretary).post(ADD, round_data(community_, shops, [resident.user]))
    assert response.status_code == 200
    assert not EvaluationRound.objects.exists()


def test_weights_and_shops_are_locked_once_scoring_has_begun(setup):
    community_, shops, secretary = setup
    round_ = f.evaluation_round(shops=shops, community_raters=[secretary])
    url = f"/admin/snippets/evaluation/evaluationround/edit/{round_.pk}/"
    data = round_data(community_, shops[:1], [secretary], weight_hygiene="25", weight_contribution="5", title="改名")
    response = logged_in(secretary).post(url, data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title == "改名"
    assert (round_.weight_hygiene, round_.shops.count()) == (20, 2)


def test_an_editor_cannot_add_a_round_and_a_grid_worker_sees_no_rounds(setup):
    community_, shops, secretary = setup
    editor = logged_in(f.editor())
    response = editor.post(ADD, round_data(community_, shops, [secretary]))
    assert response.status_code in (302, 403) and not EvaluationRound.objects.exists()
    round_ = f.evaluation_round(shops=shops)
    assert editor.get(f"/admin/evaluation/rounds/{round_.pk}/").status_code == 200
    worker = logged_in(f.grid_worker(f.grid()))
    assert worker.get(f"/admin/evaluation/rounds/{round_.pk}/").status_code in (302, 403)


# --- The state machine ---------------------------------------------------------------------------


def move(client, round_, action):
    return client.post(f"/admin/evaluation/rounds/{round_.pk}/move/", {"action": action}, follow=True)


def test_a_round_goes_from_draft_to_final(setup):
    community_, shops, secretary = setup
    client = logged_in(secretary)
    round_ = f.evaluation_round(shops=shops, community_raters=[secretary], state=State.DRAFT)
    assert "已开始评分" in move(client, round_, "open").content.decode()
    f.sheet(round_, shops[0], secretary)
    response = move(client, round_, "publish")
    assert "已公示结果" in response.content.decode()
    round_.refresh_from_db()
    assert round_.state == State.PUBLISHED
    assert round_.objections_until > timezone.now() + datetime.timedelta(days=4)
    # Finalising before the 公示 ends is refused, with the date it ends.
    response = move(client, round_, "finalise")
    assert "公示期到" in response.content.decode() and "之后才能定稿" in response.content.decode()
    EvaluationRound.objects.filter(pk=round_.pk).update(objections_until=timezone.now() - datetime.timedelta(hours=1))
    assert "已定稿" in move(client, round_, "finalise").content.decode()
    round_.refresh_from_db()
    assert round_.state == State.FINAL and round_.finalised_at is not None
    assert list(round_.events.values_list("action", "actor")) == [
        ("open", secretary.pk),
        ("publish", secretary.pk),
        ("finalise", secretary.pk),
    ]
    assert ModelLogEntry.objects.filter(action="evaluation.publish", user=secretary).exists()


def test_opening_and_publishing_refuse_without_what_they_need(setup):
    community_, shops, secretary = setup
    round_ = f.evaluation_round(state=State.DRAFT)
    with pytest.raises(transitions.TransitionError, match="请先选择参评商户"):
        transitions.perform(round_, "open", secretary)
    round_.shops.set(shops)
    with pytest.raises(transitions.TransitionError, match="请先指定社区或商会的评分人"):
        transitions.perform(round_, "open", secretary)
    round_.chamber_raters.add(f.editor())
    transitions.perform(round_, "open", secretary)
    with pytest.raises(transitions.TransitionError, match="还没有任何评分"):
        transitions.perform(round_, "publish", secretary)
    with pytest.raises(transitions.TransitionError, match="当前状态为“评分中”，不能定稿"):
        transitions.perform(round_, "finalise", secretary)


def test_only_a_secretary_moves_a_round(setup):
    community_, shops, secretary = setup
    round_ = f.evaluation_round(shops=shops, community_raters=[secretary], state=State.DRAFT)
    response = logged_in(f.editor()).post(f"/admin/evaluation/rounds/{round_.pk}/move/", {"action": "open"})
    assert response.status_code in (302, 403)
    round_.refresh_from_db()
    assert round_.state == State.DRAFT
    assert "开始评分" not in logged_in(f.editor()).get(f"/admin/evaluation/rounds/{round_.pk}/").content.decode()


def test_the_round_history_is_append_only_in_the_database(setup):
    community_, shops, secretary = setup
    round_ = f.evaluation_round(shops=shops, community_raters=[secretary], state=State.DRAFT)
    transitions.perform(round_, "open", secretary)
    with pytest.raises(DatabaseError), transaction.atomic():
        RoundEvent.objects.filter(round=round_).update(note="改过")
    with pytest.raises(DatabaseError), transaction.atomic():
        RoundEvent.objects.filter(round=round_).delete()
