"""Scoring sheets: staff raters in the admin and residents on 我的, one shop at a time, each POST
saving one whole sheet; bad input refused in Chinese with nothing saved and what was typed kept;
only during scoring; a rater sees and changes only their own sheets (404 otherwise); one sheet per
resident per shop per round, even under parallel submits; every score and change in the history."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from evaluation import scoring
from evaluation.models import Party, ScoreSheet, SheetChange, State
from tests import factories as f
from tests.accounts.helpers import sign_in
from tests.budget import rendered_queries
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db
RESIDENT = "13812345678"
GOOD = {
    "hygiene": "9",
    "service": "8",
    "honesty": "10",
    "safety": "7",
    "display": "6",
    "contribution": "5",
    "display_remark": "门口偶尔摆放纸箱",
}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db):
    community_ = f.community(name="幸福里社区")
    shops = [f.merchant(name=n, community_=community_) for n in ("丝艺理发店", "老王粮油店", "南桥超市")]
    secretary, chamber = f.moderator("secretary"), f.editor("chamber")
    round_ = f.evaluation_round(shops=shops, community_raters=[secretary], chamber_raters=[chamber])
    return {"round": round_, "shops": shops, "secretary": secretary, "chamber": chamber}


def sheet_url(world, shop, admin=True):
    if admin:
        return f"/admin/evaluation/score/{world['round'].pk}/{shop.pk}/"
    return f"/my/evaluation/{world['round'].pk}/{shop.pk}/"


def body(response):
    return response.content.decode()


# --- A staff rater in the admin ------------------------------------------------------------------


def test_a_staff_rater_scores_one_shop_and_goes_on_to_the_next(world):
    client = logged_in(world["secretary"])
    shops = world["shops"]
    listing = client.get(f"/admin/evaluation/score/{world['round'].pk}/")
    assert "已评 0 / 3 家" in body(listing)
    response = client.post(sheet_url(world, shops[0]), GOOD)
    # Shops go by name: 丝艺理发店, 南桥超市, 老王粮油店.
    assert response.status_code == 302 and response["Location"] == sheet_url(world, shops[2])
    sheet = ScoreSheet.objects.get()
    assert (sheet.party, sheet.rater, sheet.merchant) == (Party.COMMUNITY, world["secretary"], shops[0])
    assert [score for _d, score, _r in sheet.scores()] == [9, 8, 10, 7, 6, 5]
    assert sheet.display_remark == "门口偶尔摆放纸箱"
    assert SheetChange.objects.filter(sheet=sheet, old_score=None).count() == 6
    # Leaving and coming back: the sheet is where it was left, and the list says so.
    page = body(client.get(sheet_url(world, shops[0])))
    assert 'value="9"' in page and "门口偶尔摆放纸箱" in page
    assert "已评 1 / 3 家" in body(client.get(f"/admin/evaluation/score/{world['round'].pk}/"))
    assert "我的评分" in body(client.get("/admin/evaluation/score/"))


def test_the_rater_sees_the_quarters_cases_about_the_shop_beside_the_sheet(world):
    shop = world["shops"][0]
    f.case(f.grid(shop.community), reference="SJ-20270305-0005", merchant=shop, state="resolved", rating="satisfied")
    page = body(logged_in(world["secretary"]).get(sheet_url(world, shop)))
    assert "涉及该店的民情诉求 1 件" in page and "SJ-20270305-0005" in page and "满意" in page
    assert "本季度没有涉及该店的民情诉求" in body(
        logged_in(world["secretary"]).get(sheet_url(world, world["shops"][1]))
    )


def test_a_change_is_recorded_old_to_new(world):
    client = logged_in(world["secretary"])
    shop = world["shops"][0]
    client.post(sheet_url(world, shop), GOOD)
    client.post(sheet_url(world, shop), {**GOOD, "hygiene": "6", "hygiene_remark": "后厨油污"})
    sheet = ScoreSheet.objects.get()
    assert sheet.hygiene == 6
    change = SheetChange.objects.filter(sheet=sheet).last()
    assert (change.dimension, change.old_score, change.new_score, change.new_remark) == ("hygiene", 9, 6, "后厨油污")
    assert change.changed_by == world["secretary"]
    assert SheetChange.objects.count() == 7
    # The rater reads their own record on the sheet.
    page = body(client.get(sheet_url(world, shop)))
    assert "我的评分记录" in page and "卫生：9 → 6" in page and "备注：后厨油污" in page
    # Saving again unchanged writes nothing.
    response = client.post(sheet_url(world, shop), {**GOOD, "hygiene": "6", "hygiene_remark": "后厨油污"}, follow=True)
    assert "评分没有改动" in body(response)
    assert SheetChange.objects.count() == 7


def test_the_history_is_append_only_in_the_database(world):
    logged_in(world["secretary"]).post(sheet_url(world, world["shops"][0]), GOOD)
    with pytest.raises(DatabaseError), transaction.atomic():
        SheetChange.objects.update(new_score=10)
    with pytest.raises(DatabaseError), transaction.atomic():
        SheetChange.objects.all().delete()


@pytest.mark.parametrize(
    "typed,message",
    [
        ("11", "分数不能超过满分 10 分。"),
        ("-1", "分数不能低于 0 分。"),
        ("3.5", "请填写整数，不要带小数。"),
        ("", "请给“卫生”打分。"),
        ("八", "请填写 0 到 10 之间的整数。"),
    ],
)
def test_bad_input_is_refused_in_chinese_nothing_saved_and_what_was_typed_kept(world, typed, message):
    client = logged_in(world["secretary"])
    response = client.post(sheet_url(world, world["shops"][0]), {**GOOD, "hygiene": typed, "service": "7"})
    assert response.status_code == 200
    page = body(response)
    assert message in page
    assert 'value="7"' in page and "门口偶尔摆放纸箱" in page  # the rest of what was typed stays
    if typed:
        assert f'value="{typed}"' in page
    assert not ScoreSheet.objects.exists() and not SheetChange.objects.exists()


def test_full_width_digits_and_spaces_are_normalised(world):
    client = logged_in(world["secretary"])
    client.post(sheet_url(world, world["shops"][0]), {**GOOD, "hygiene": "８", "service": " 1０ "})
    sheet = ScoreSheet.objects.get()
    assert (sheet.hygiene, sheet.service) == (8, 10)


def test_a_round_scale_other_than_ten(world):
    round_ = world["round"]
    round_.scale_max = 5
    round_.save()
    client = logged_in(world["secretary"])
    response = client.post(sheet_url(world, world["shops"][0]), GOOD)
    assert "分数不能超过满分 5 分。" in body(response)
    assert not ScoreSheet.objects.exists()


def test_a_rater_sees_only_their_own_sheet(world):
    shop = world["shops"][0]
    logged_in(world["secretary"]).post(sheet_url(world, shop), {**GOOD, "hygiene_remark": "社区的意见"})
    chamber = logged_in(world["chamber"])
    page = body(chamber.get(sheet_url(world, shop)))
    assert "社区的意见" not in page and 'value="9"' not in page
    chamber.post(sheet_url(world, shop), {**GOOD, "hygiene": "3"})
    assert ScoreSheet.objects.get(rater=world["secretary"]).hygiene == 9
    assert ScoreSheet.objects.get(rater=world["chamber"]).party == Party.CHAMBER


def test_someone_not_named_on_the_round_gets_404(world):
    stranger = logged_in(f.moderator("stranger"))
    shop = world["shops"][0]
    logged_in(world["secretary"]).post(sheet_url(world, shop), GOOD)
    assert stranger.get(sheet_url(world, shop)).status_code == 404
    assert stranger.post(sheet_url(world, shop), GOOD).status_code == 404
    assert stranger.get(f"/admin/evaluation/score/{world['round'].pk}/").status_code == 404
    assert ScoreSheet.objects.count() == 1
    # A shop outside the round, for a rater who is on it: 404 too.
    outside = f.merchant(name="外区小卖部")
    assert logged_in(world["secretary"]).get(sheet_url(world, outside)).status_code == 404


@pytest.mark.parametrize("state", [State.DRAFT, State.PUBLISHED, State.FINAL])
def test_sheets_are_saved_only_during_scoring(world, state):
    client = logged_in(world["secretary"])
    round_ = world["round"]
    round_.state = state
    round_.save()
    response = client.post(sheet_url(world, world["shops"][0]), GOOD)
    if state == State.DRAFT:
        assert response.status_code == 404
    else:
        assert "不在评分期" in body(response)
    assert not ScoreSheet.objects.exists()


def test_sheets_are_not_saved_after_the_closing_date(world):
    round_ = world["round"]
    round_.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    round_.opens_on = round_.closes_on - datetime.timedelta(days=5)
    round_.save()
    response = logged_in(world["secretary"]).post(sheet_url(world, world["shops"][0]), GOOD)
    assert "不在评分期" in body(response)
    assert not ScoreSheet.objects.exists()


def test_a_resident_session_never_reaches_the_admin_sheet(world, sms_outbox):
    f.person(name="王秀兰", mobile=RESIDENT)
    client = Client()
    sign_in(client, RESIDENT)
    response = client.get(sheet_url(world, world["shops"][0]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- A resident on 我的 --------------------------------------------------------------------------


def test_a_resident_scores_from_my_page(world, sms_outbox):
    person = f.person(name="王秀兰", mobile=RESIDENT)
    client = Client()
    sign_in(client, RESIDENT)
    my = body(client.get("/my/"))
    assert "商户评选打分" in my and "2027年第一季度" in my
    shop = world["shops"][1]
    response = client.post(sheet_url(world, shop, admin=False), GOOD)
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.party, sheet.rater) == (Party.RESIDENT, person.user)
    assert "已评 1 家" in body(client.get("/my/"))
    response = client.post(sheet_url(world, shop, admin=False), {**GOOD, "safety": "１２"})
    assert "分数不能超过满分 10 分。" in body(response)
    assert ScoreSheet.objects.get().safety == 7


def test_residents_need_to_sign_in_and_cannot_score_outside_scoring(world, sms_outbox):
    anonymous = Client()
    response = anonymous.get(sheet_url(world, world["shops"][0], admin=False))
    assert response.status_code == 302 and "/my/sign-in/" in response["Location"]
    f.person(name="王秀兰", mobile=RESIDENT)
    client = Client()
    sign_in(client, RESIDENT)
    round_ = world["round"]
    round_.state = State.PUBLISHED
    round_.save()
    assert client.get(sheet_url(world, world["shops"][0], admin=False)).status_code == 404
    assert client.post(sheet_url(world, world["shops"][0], admin=False), GOOD).status_code == 404
    assert "商户评选打分" not in body(client.get("/my/"))


def test_a_shop_clerk_cannot_score_their_own_shop(world, sms_outbox):
    shop = world["shops"][0]
    f.shop_staff(shop, f.person(name="李店员", mobile=RESIDENT))
    client = Client()
    sign_in(client, RESIDENT)
    response = client.post(sheet_url(world, shop, admin=False), GOOD)
    assert "您是这家商户的店员，不能给本店评分。" in body(response)
    assert not ScoreSheet.objects.exists()


def test_the_database_allows_one_sheet_per_resident_per_shop_per_round(world):
    person = f.person()
    f.sheet(world["round"], world["shops"][0], person.user, Party.RESIDENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.sheet(world["round"], world["shops"][0], person.user, Party.RESIDENT, (1,) * 6)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_submits_end_as_one_sheet():
    community_ = f.community()
    shop = f.merchant(community_=community_)
    round_ = f.evaluation_round(shops=[shop], community_raters=[f.moderator()])
    person = f.person()
    form_data = [{**GOOD, "hygiene": str(i)} for i in range(4)]

    def submit(i):
        form = scoring.SheetForm(form_data[i], scale_max=10)
        assert form.is_valid(), form.errors
        scoring.save_sheet(round_, shop, person.user, Party.RESIDENT, form.cleaned_data)

    run_in_threads(4, submit)
    sheet = ScoreSheet.objects.get()
    assert sheet.hygiene in range(4)
    # Six first scores, then one change per later submit that differed: the history adds up to the sheet.
    assert SheetChange.objects.filter(sheet=sheet, dimension="hygiene").last().new_score == sheet.hygiene
    assert SheetChange.objects.filter(old_score=None).count() == 6


# --- Query counts --------------------------------------------------------------------------------


def more_shops_and_raters(world, times):
    round_ = world["round"]
    community_ = round_.communities.first()
    for _number in range(times):
        shop = f.merchant(community_=community_)
        round_.shops.add(shop)
        other = f.moderator()
        round_.community_raters.add(other)
        f.sheet(round_, shop, other, Party.COMMUNITY)
        f.sheet(round_, shop, world["secretary"], Party.COMMUNITY)


@pytest.mark.parametrize("page", ["sheet", "shops"])
def test_the_scoring_pages_run_constant_queries(world, django_assert_max_num_queries, page):
    client = logged_in(world["secretary"])
    url = sheet_url(world, world["shops"][0]) if page == "sheet" else f"/admin/evaluation/score/{world['round'].pk}/"
    f.sheet(world["round"], world["shops"][0], world["secretary"], Party.COMMUNITY)
    few = rendered_queries(django_assert_max_num_queries, client, url, 40)
    more_shops_and_raters(world, 15)
    many = rendered_queries(django_assert_max_num_queries, client, url, 40)
    assert many == few, (few, many)
    print(page, "queries:", few)


def test_the_resident_sheet_runs_constant_queries(world, django_assert_max_num_queries, sms_outbox):
    f.person(name="王秀兰", mobile=RESIDENT)
    client = Client()
    sign_in(client, RESIDENT)
    url = sheet_url(world, world["shops"][0], admin=False)
    few = rendered_queries(django_assert_max_num_queries, client, url, 40)
    more_shops_and_raters(world, 15)
    many = rendered_queries(django_assert_max_num_queries, client, url, 40)
    assert many == few, (few, many)
    print("resident sheet queries:", few)
