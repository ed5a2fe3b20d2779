"""The result of a round: the worked example with known numbers, a party missing, too few resident
scores (one), ties, shops without a result, the computation shown on the page, and a constant number
of queries whatever the number of shops and sheets."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from evaluation import results
from evaluation.models import Party, State
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db
C, K, R = Party.COMMUNITY, Party.CHAMBER, Party.RESIDENT


def visible_text(response):
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def example(db):
    """甲店 with all three parties, 乙店 and 丙店 tied without the chamber… see the module's numbers."""
    community_ = f.community(name="幸福里社区")
    jia, yi, bing, ding = (f.merchant(name=n, community_=community_) for n in ("甲店", "乙店", "丙店", "丁店"))
    staff = [f.moderator(), f.moderator(), f.editor()]
    residents = [f.person().user for _number in range(3)]
    round_ = f.evaluation_round(shops=[jia, yi, bing, ding], community_raters=staff[:1], chamber_raters=staff[1:])
    # 甲店: community 78.50, chamber 90.00, residents 78.83 (three sheets) → 82.05.
    f.sheet(round_, jia, staff[0], C, (9, 8, 10, 7, 6, 5))
    f.sheet(round_, jia, staff[1], K, (8, 8, 8, 8, 8, 8))
    f.sheet(round_, jia, staff[2], K, (10, 10, 10, 10, 10, 10))
    f.sheet(round_, jia, residents[0], R, (10, 10, 10, 10, 10, 10))
    f.sheet(round_, jia, residents[1], R, (6, 6, 6, 6, 6, 6))
    f.sheet(round_, jia, residents[2], R, (7, 8, 9, 10, 5, 6))
    # 乙店 and 丙店: community 90, chamber 70, one resident sheet of zeros (not counted) → 81.43 each.
    for shop in (yi, bing):
        f.sheet(round_, shop, staff[0], C, (9,) * 6)
        f.sheet(round_, shop, staff[1], K, (7,) * 6)
        f.sheet(round_, shop, residents[0], R, (0,) * 6)
    return round_, {"甲店": jia, "乙店": yi, "丙店": bing, "丁店": ding}


def by_name(computed):
    return {r.merchant.name: r for r in computed}


def test_the_worked_example(example):
    round_, _shops = example
    computed = by_name(results.compute(round_))
    jia = computed["甲店"]
    assert [p.score for p in jia.parties] == [Decimal("78.50"), Decimal("90.00"), Decimal("78.83")]
    assert [p.sheets for p in jia.parties] == [1, 2, 3]
    # (78.50 × 40 + 90.00 × 30 + 78.83 × 30) ÷ 100 = 82.049 → 82.05
    assert jia.overall == Decimal("82.05")
    resident_hygiene = jia.parties[2].lines[0]
    assert round(resident_hygiene.average, 4) == Decimal("7.6667")
    assert not jia.weights_redistributed


def test_one_resident_score_does_not_count_and_its_weight_is_shared_out(example):
    round_, _shops = example
    yi = by_name(results.compute(round_))["乙店"]
    community, chamber, resident = yi.parties
    assert resident.sheets == 1 and not resident.counts
    assert resident.score == Decimal("0.00")  # shown, but not counted
    # (90 × 40 + 70 × 30) ÷ 70 = 81.428… → 81.43; the weights become 57.14% and 42.86%.
    assert yi.overall == Decimal("81.43")
    assert (community.effective_weight, chamber.effective_weight) == (Decimal("57.14"), Decimal("42.86"))
    assert yi.weights_redistributed


def test_ties_share_a_rank_listed_by_name_and_a_shop_without_sheets_has_no_rank(example):
    round_, _shops = example
    ranked = results.compute(round_)
    assert [(r.merchant.name, r.rank, r.tied) for r in ranked] == [
        ("甲店", 1, False),
        ("丙店", 2, True),
        ("乙店", 2, True),
        ("丁店", None, False),
    ]
    assert ranked[-1].overall is None


def test_a_missing_staff_party_with_residents_enough():
    shop = f.merchant(name="戊店")
    round_ = f.evaluation_round(shops=[shop], min_resident_scores=1)
    f.sheet(round_, shop, f.person().user, R, (5,) * 6)
    (result,) = results.compute(round_)
    assert result.overall == Decimal("50.00")
    assert [p.counts for p in result.parties] == [False, False, True]
    assert result.parties[2].effective_weight == Decimal("100.00")


def test_other_weights_and_scale_change_the_sum():
    shop = f.merchant(name="己店")
    round_ = f.evaluation_round(
        shops=[shop],
        scale_max=5,
        weight_hygiene=50,
        weight_service=50,
        weight_honesty=0,
        weight_safety=0,
        weight_display=0,
        weight_contribution=0,
        weight_community=100,
        weight_chamber=0,
        weight_resident=0,
    )
    f.sheet(round_, shop, f.moderator(), C, (5, 4, 0, 0, 0, 0))
    (result,) = results.compute(round_)
    # 5/5 × 50 + 4/5 × 50 = 90
    assert result.overall == Decimal("90.00")


def test_the_public_page_shows_the_computation_from_publication_on(example, client):
    round_, shops = example
    assert client.get(f"/evaluation/{round_.pk}/").status_code == 404  # still scoring
    round_.state = State.PUBLISHED
    round_.save()
    response = client.get(f"/evaluation/{round_.pk}/")
    text = visible_text(response)
    assert "总分 = ( 78.50 × 40 + 90.00 × 30 + 78.83 × 30 ) ÷ 100 = 82.05" in text
    assert "总分 = ( 90.00 × 40 + 70.00 × 30 ) ÷ 70 = 81.43" in text
    assert "社区 57.14%，商会 42.86%" in text
    assert "不足 3 份，不计入" in text
    assert "并列的按店名排列" in text
    assert "7.67 → 15.33" in text  # 甲店's residents on 卫生: 23/3 ÷ 10 × 20
    assert "2（并列）" in text
    # Who gave which score is never shown.
    assert "moderator" not in text and "staff" not in text


def test_staff_see_the_result_before_publication_but_a_grid_worker_does_not(example):
    round_, _shops = example
    secretary, worker = Client(), Client()
    secretary.force_login(f.moderator())
    worker.force_login(f.grid_worker(f.grid()))
    response = secretary.get(f"/admin/evaluation/rounds/{round_.pk}/result/")
    assert response.status_code == 200
    assert "结果尚未公示，仅工作人员可见" in response.content.decode()
    assert worker.get(f"/admin/evaluation/rounds/{round_.pk}/result/").status_code in (302, 403)


def more_shops_and_sheets(round_, times):
    community_ = round_.communities.first()
    rater = round_.community_raters.first()
    grid_ = f.grid(community_)
    for _number in range(times):
        shop = f.merchant(community_=community_)
        round_.shops.add(shop)
        f.case(grid_, merchant=shop, state="closed", rating="satisfied")
        f.sheet(round_, shop, rater, C, (7,) * 6)
        for _resident in range(3):
            f.sheet(round_, shop, f.person().user, R, (8,) * 6)


@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_result_page_runs_constant_queries(example, django_assert_max_num_queries, who):
    round_, _shops = example
    round_.state = State.PUBLISHED
    round_.save()
    client = Client()
    url = f"/evaluation/{round_.pk}/"
    if who == "staff":
        client.force_login(f.moderator())
        url = f"/admin/evaluation/rounds/{round_.pk}/result/"
    few = rendered_queries(django_assert_max_num_queries, client, url, 40)
    more_shops_and_sheets(round_, 15)
    many = rendered_queries(django_assert_max_num_queries, client, url, 40)
    assert many == few, (few, many)
    print(who, "result page queries:", few)


def test_beside_each_result_staff_see_the_quarters_cases_about_the_shop(example):
    round_, shops = example
    grid_ = f.grid(shops["甲店"].community)
    f.case(grid_, reference="SJ-20270301-0001", merchant=shops["甲店"], state="closed", rating="satisfied")
    f.case(grid_, reference="SJ-20270302-0002", merchant=shops["甲店"], state="in_progress")
    f.case(grid_, reference="SJ-20270303-0003", merchant=shops["乙店"], state="resolved", rating="unsatisfied")
    # Before the quarter: not shown.
    old = f.case(grid_, reference="SJ-20260101-0009", merchant=shops["甲店"], state="closed")
    type(old).objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2025))
    secretary = Client()
    secretary.force_login(f.moderator())
    text = visible_text(secretary.get(f"/admin/evaluation/rounds/{round_.pk}/result/"))
    assert "本季度涉及该店的民情诉求 2 件：已办结 1 件，已评价 1 件（满意或基本满意 1，不满意 0）" in text
    assert "SJ-20270301-0001" in text and "SJ-20270302-0002" in text and "SJ-20260101-0009" not in text
    assert "本季度涉及该店的民情诉求 1 件：已办结 1 件，已评价 1 件（满意或基本满意 0，不满意 1）" in text
    # The public page never shows them.
    round_.state = State.PUBLISHED
    round_.save()
    assert "SJ-20270301-0001" not in visible_text(Client().get(f"/evaluation/{round_.pk}/"))
