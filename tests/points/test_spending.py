"""Spending at a member shop: the resident's code on 我的, the shop's desk at the counter, every
wrong case a plain Chinese message and nothing written."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from alliance.models import Merchant
from points import spending
from points.ledger import LedgerError
from points.models import Account, SpendCode, Transfer
from points.views import qr_svg
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db
RESIDENT, CLERK = "13812345678", "13900002222"


@pytest.fixture
def counter(sms_outbox):
    """A resident with 10 points, a member shop that takes points, and its clerk, each signed in."""
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    resident = f.person(name="王秀兰", mobile=RESIDENT)
    f.give_points(resident, 10)
    clerk = f.shop_staff(shop, f.person(name="李店员", mobile=CLERK))
    resident_client, clerk_client = Client(), Client()
    sign_in(resident_client, RESIDENT)
    sign_in(clerk_client, CLERK)
    return {"shop": shop, "resident": resident, "clerk": clerk, "r": resident_client, "c": clerk_client}


def code_of(response):
    return response.context["code"].replace(" ", "")


def balance(person):
    return Account.for_person(person).balance


def test_my_page_shows_the_balance_and_the_movements(counter):
    text = counter["r"].get("/my/").content.decode()
    assert "志愿积分" in text and "data-balance>10<" in text and "志愿服务发放" in text


def test_a_resident_spends_3_points_and_both_see_the_movement(counter):
    response = counter["r"].post("/my/points/spend/", {"points": "3"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    code = code_of(response)
    page = response.content.decode()
    assert len(code) == 8 and "<svg" in page and "只能用一次" in page
    desk = f"/my/desk/{counter['shop'].pk}/"
    found = counter["c"].get(desk, {"code": code}).content.decode()
    assert "王*兰" in found and "<strong>3</strong>" in found and RESIDENT not in found
    assert counter["c"].post(desk, {"code": code}).status_code == 302
    assert balance(counter["resident"]) == 7
    assert Account.for_merchant(counter["shop"]).balance == 3
    assert "商户抵扣 老王粮油店" in counter["r"].get("/my/points/").content.decode()
    assert "已抵扣 3 分" in counter["c"].get(desk).content.decode()


def test_a_code_works_once_whatever_the_clicks(counter):
    code = code_of(counter["r"].post("/my/points/spend/", {"points": "3"}))
    desk = f"/my/desk/{counter['shop'].pk}/"
    counter["c"].post(desk, {"code": code})
    counter["c"].post(desk, {"code": code})  # the second click of an impatient clerk
    assert balance(counter["resident"]) == 7 and Transfer.objects.filter(kind="spend").count() == 1
    other_shop = f.merchant(name="张记小卖部", accepts_volunteer_points=True)
    with pytest.raises(LedgerError, match="已经用过了"):
        spending.confirm(code, other_shop, None)


def test_the_scanned_qr_opens_the_desk_with_the_code(counter, real_site):
    shown = counter["r"].post("/my/points/spend/", {"points": "2"}, HTTP_HOST="10.1.2.3:8000")
    code = code_of(shown)
    # The QR holds the desk's address on the site, whichever address the resident's phone used.
    assert shown.context["desk_url"] == f"https://shangju.example.cn/my/desk/?code={code}"
    assert shown.context["qr"] == qr_svg(shown.context["desk_url"])
    response = counter["c"].get(f"/my/desk/?code={code}")
    assert response.status_code == 302 and response["Location"] == f"/my/desk/{counter['shop'].pk}/?code={code}"


@pytest.mark.parametrize(
    "typed,message",
    [
        ("0", "至少 1 分"),
        ("-3", "请填写整数"),
        ("2.5", "请填写整数"),
        ("1e3", "请填写整数"),
        ("99999999", "积分数太大了"),
        ("30", "每次最多抵扣 20 分"),
        ("十", "请填写整数"),
        ("", "请填写积分"),
        ("11", "积分不足：现有 10 分"),
    ],
)
def test_wrong_amounts_get_a_field_error_and_no_code(counter, typed, message):
    response = counter["r"].post("/my/points/spend/", {"points": typed})
    text = response.content.decode()
    assert response.status_code == 200 and message in text and "请修改以下内容" in text
    assert not SpendCode.objects.exists()


def test_full_width_digits_are_whole_points(counter):
    assert len(code_of(counter["r"].post("/my/points/spend/", {"points": "３"}))) == 8


@pytest.mark.parametrize("typed", ["12345678", "1234", "abcdefgh", "", "9" * 30])
def test_wrong_codes_at_the_desk_are_refused_plainly(counter, typed):
    desk = f"/my/desk/{counter['shop'].pk}/"
    for response in (counter["c"].get(desk, {"code": typed}), counter["c"].post(desk, {"code": typed})):
        text = response.content.decode()
        assert response.status_code == 200 and ("抵扣码" in text) and "has-error" in text
    assert balance(counter["resident"]) == 10 and not Transfer.objects.filter(kind="spend").exists()


def test_an_expired_code_is_refused(counter):
    code = code_of(counter["r"].post("/my/points/spend/", {"points": "3"}))
    SpendCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(LedgerError, match="已过期"):
        spending.confirm(code, counter["shop"], None)
    assert balance(counter["resident"]) == 10


def test_a_code_for_more_than_is_left_by_then_is_refused(counter):
    big = code_of(counter["r"].post("/my/points/spend/", {"points": "8"}))
    small = code_of(counter["r"].post("/my/points/spend/", {"points": "5"}))
    spending.confirm(big, counter["shop"], None)
    with pytest.raises(LedgerError, match="积分不足：现有 2 分，需要 5 分"):
        spending.confirm(small, counter["shop"], None)
    assert balance(counter["resident"]) == 2


@pytest.mark.parametrize(
    "change,message",
    [
        ({"membership_status": Merchant.Status.SUSPENDED}, "只有联盟商户"),
        ({"accepts_volunteer_points": False}, "没有开通积分抵扣"),
    ],
)
def test_only_member_shops_that_take_points_can_take_them(counter, change, message):
    code = code_of(counter["r"].post("/my/points/spend/", {"points": "3"}))
    Merchant.objects.filter(pk=counter["shop"].pk).update(**change)
    counter["shop"].refresh_from_db()
    with pytest.raises(LedgerError, match=message):
        spending.confirm(code, counter["shop"], None)
    assert balance(counter["resident"]) == 10 and SpendCode.objects.get().used_at is None


def test_a_resident_cannot_spend_at_their_own_shop(counter):
    f.shop_staff(counter["shop"], counter["resident"])
    code = code_of(counter["r"].post("/my/points/spend/", {"points": "3"}))
    with pytest.raises(LedgerError, match="不能在自己的店里"):
        spending.confirm(code, counter["shop"], None)


def test_the_daily_cap_holds_across_codes(counter, settings):
    settings.POINTS_MAX_PER_DAY = 5
    first = code_of(counter["r"].post("/my/points/spend/", {"points": "4"}))
    second = code_of(counter["r"].post("/my/points/spend/", {"points": "1"}))
    spending.confirm(first, counter["shop"], None)
    response = counter["r"].post("/my/points/spend/", {"points": "2"})
    assert "今天还可以抵扣 1 分" in response.content.decode()
    spending.confirm(second, counter["shop"], None)
    assert balance(counter["resident"]) == 5


def test_someone_who_is_not_its_staff_cannot_open_a_shops_desk(counter):
    stranger = Client()
    sign_in(stranger, "13700003333")
    assert stranger.get(f"/my/desk/{counter['shop'].pk}/").status_code == 404
    assert stranger.post(f"/my/desk/{counter['shop'].pk}/", {"code": "12345678"}).status_code == 404
    assert Client().get(f"/my/desk/{counter['shop'].pk}/")["Location"].startswith("/my/sign-in/")


def test_a_points_card_at_the_counter(counter):
    elderly = f.person(name="赵大爷", mobile=None)
    f.give_points(elderly, 6)
    card = f.points_card(elderly, pin="2468")
    desk = f"/my/desk/{counter['shop'].pk}/"
    form = counter["c"].get(desk).context["card_form"]
    key = form.initial["key"]
    data = {"action": "card", "number": card.display_number, "pin": "2468", "points": "4", "key": key}
    assert counter["c"].post(desk, data).status_code == 302
    assert counter["c"].post(desk, data).status_code == 302  # the same form sent twice takes the points once
    assert balance(elderly) == 2
    wrong = counter["c"].post(desk, {**data, "pin": "0000", "key": "another"})
    assert "卡号或密码不正确" in wrong.content.decode() and balance(elderly) == 2


def test_the_month_statement_downloads_with_masked_names(counter):
    code = code_of(counter["r"].post("/my/points/spend/", {"points": "3"}))
    spending.confirm(code, counter["shop"], None)
    month = timezone.localdate().strftime("%Y-%m")
    response = counter["c"].get(f"/my/desk/{counter['shop'].pk}/statement/{month}.xlsx")
    assert response.status_code == 200
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="points-statement-{counter["shop"].pk}-{month}.xlsx"; '
        f"filename*=UTF-8''{quote(f'老王粮油店 积分抵扣明细 {today.year}年{today.month}月.xlsx')}"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[2][1] == "王*兰" and rows[2][2] == 3 and rows[-1][2] == 3
    # The time is a date-time cell in Beijing time, not text.
    assert isinstance(rows[2][0], datetime.datetime)
    assert sheet.cell(row=3, column=1).is_date and sheet.cell(row=3, column=1).number_format == "yyyy-mm-dd hh:mm"
    assert counter["c"].get(f"/my/desk/{counter['shop'].pk}/statement/2026-13.xlsx").status_code == 404
