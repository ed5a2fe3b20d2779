"""The staff side of points in the Wagtail admin: activities, attendance recorded by one and confirmed
by another, accounts with masked mobiles, reversals asked and approved by two people, settlements,
printed cards and acting for a resident; each action in the audit log, each wrong input a message."""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from accounts.models import Person, PointsCard
from points import earning, spending
from points.ledger import LedgerError
from points.models import Account, Activity, Attendance, ReversalRequest, Settlement, SignUp, Transfer
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db
ADMIN = "/admin/points/"


@pytest.fixture
def staff(db):
    grid_ = f.grid()
    people = {
        "editor": f.editor("organiser"),
        "worker": f.grid_worker(grid_, "worker"),
        "secretary": f.moderator("secretary"),
        "deputy": f.moderator("deputy"),
    }
    clients = {}
    for role, user in people.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return people, clients


def balance(person):
    account = Account.objects.filter(person=person).first()
    return account.balance if account else 0


def text(response):
    return response.content.decode()


def refused(response):
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard and an error."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def signed_up(activity, *names):
    people = []
    for name in names:
        person = f.person(name=name)
        earning.sign_up(activity, person)
        people.append(person)
    return people


# --- Activities -------------------------------------------------------------------------------


def test_an_editor_adds_an_activity_to_a_volunteer_notice(staff):
    people, clients = staff
    notice = f.notice(title="幸福里河道保洁", kind="volunteer")
    start = (timezone.localtime() + datetime.timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    data = {
        "notice": notice.pk,
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
        "places": "15",
        "points_per_hour": "1",
        "points_cap": "3",
        "sign_up_until": (start - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "organiser": people["editor"].pk,
    }
    response = clients["editor"].post("/admin/snippets/points/activity/add/", data)
    assert response.status_code == 302, text(response)[:2000]
    activity = Activity.objects.get()
    assert activity.places == 15 and activity.notice == notice
    listing = text(clients["editor"].get("/admin/snippets/points/activity/"))
    assert "幸福里河道保洁" in listing and "登记出勤" in listing


def test_a_wrong_activity_gets_chinese_messages_and_keeps_what_was_typed(staff):
    people, clients = staff
    notice = f.notice(title="便民集市", kind="market_day")
    data = {
        "notice": notice.pk,
        "starts_at": "2026-12-20 09:00",
        "ends_at": "2026-12-20 08:00",
        "places": "-3",
        "points_per_hour": "abc",
        "points_cap": "3",
        "sign_up_until": "2026-12-21 09:00",
    }
    response = clients["editor"].post("/admin/snippets/points/activity/add/", data)
    body = text(response)
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "只能为“志愿服务”类型的通知设置积分活动" in body
    assert "2026-12-20 08:00" in body


def test_grid_workers_do_not_run_activities(staff):
    people, clients = staff
    assert refused(clients["worker"].get("/admin/snippets/points/activity/add/"))
    assert refused(clients["worker"].get(f"{ADMIN}activities/{f.activity().pk}/attendance/"))


# --- Attendance and confirmation -------------------------------------------------------------------


def test_the_organiser_records_and_a_grid_worker_confirms(staff):
    people, clients = staff
    activity = f.activity(title="关爱独居老人", points_per_hour=1, points_cap=4)
    wang, li = signed_up(activity, "王秀兰", "李建国")
    f.happened(activity)
    url = f"{ADMIN}activities/{activity.pk}/attendance/"
    page = text(clients["editor"].get(url))
    assert "王秀兰" in page and "李建国" in page
    response = clients["editor"].post(url, {f"hours_{wang.pk}": "3", f"hours_{li.pk}": ""}, follow=True)
    assert "已登记 1 人的出勤" in text(response)
    assert balance(wang) == 0 and Attendance.objects.get().recorded_by == people["editor"]

    queue = text(clients["worker"].get(f"{ADMIN}confirm/"))
    assert "王秀兰" in queue and wang.masked_mobile in queue and wang.mobile not in queue
    attendance = Attendance.objects.get()
    response = clients["worker"].post(f"{ADMIN}confirm/", {"attendance": [attendance.pk]}, follow=True)
    assert "已复核 1 条出勤" in text(response)
    assert balance(wang) == 3 and balance(li) == 0
    # The attendance page now lists it as issued, and the queue is empty.
    assert "已复核发放" in text(clients["editor"].get(url))
    assert "没有待复核的出勤" in text(clients["worker"].get(f"{ADMIN}confirm/"))


def test_wrong_hours_save_nothing_and_keep_what_was_typed(staff):
    people, clients = staff
    activity = f.activity()
    wang, li = signed_up(activity, "王秀兰", "李建国")
    f.happened(activity)
    url = f"{ADMIN}activities/{activity.pk}/attendance/"
    response = clients["editor"].post(url, {f"hours_{wang.pk}": "2", f"hours_{li.pk}": "三小时"})
    body = text(response)
    assert response.status_code == 200 and "请填写服务时长" in body and 'value="三小时"' in body
    assert not Attendance.objects.exists()
    assert "请至少填写一位居民的服务时长" in text(clients["editor"].post(url, {}))


def test_a_walk_in_is_recorded_by_mobile(staff):
    people, clients = staff
    activity = f.activity(starts_in_days=-1)
    walk_in = f.person(name="赵阿姨", mobile="13600001234")
    url = f"{ADMIN}activities/{activity.pk}/attendance/"
    unknown = text(clients["editor"].post(url, {"walk_in_mobile": "13600009999", "walk_in_hours": "2"}))
    assert "还没有居民账号" in unknown and not Attendance.objects.exists()
    missing = text(clients["editor"].post(url, {"walk_in_mobile": "13600001234"}))
    assert "请填写现场参加居民的服务时长" in missing
    clients["editor"].post(url, {"walk_in_mobile": "136 0000 1234", "walk_in_hours": "２"})
    assert Attendance.objects.get().person == walk_in


def test_whoever_recorded_cannot_confirm_even_with_the_right(staff):
    people, clients = staff
    activity = f.activity()
    (wang,) = signed_up(activity, "王秀兰")
    f.happened(activity)
    clients["secretary"].post(f"{ADMIN}activities/{activity.pk}/attendance/", {f"hours_{wang.pk}": "2"})
    attendance = Attendance.objects.get()
    queue = text(clients["secretary"].get(f"{ADMIN}confirm/"))
    assert "您登记的" in queue and f'value="{attendance.pk}"' not in queue
    response = clients["secretary"].post(f"{ADMIN}confirm/", {"attendance": [attendance.pk]}, follow=True)
    assert "不能自己复核" in text(response) and balance(wang) == 0
    clients["deputy"].post(f"{ADMIN}confirm/", {"attendance": [attendance.pk]})
    assert balance(wang) == 2


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999", "\x00"])
def test_a_wrong_confirmation_post_issues_nothing(staff, value):
    people, clients = staff
    response = clients["worker"].post(f"{ADMIN}confirm/", {"attendance": [value]}, follow=True)
    assert response.status_code == 200 and "请勾选要复核的出勤记录" in text(response)
    assert not Transfer.objects.exists()


def test_editors_cannot_confirm(staff):
    people, clients = staff
    assert refused(clients["editor"].get(f"{ADMIN}confirm/"))
    attendance = earning.record_attendance(f.activity(starts_in_days=-1), f.person(), "2", people["secretary"])
    assert refused(clients["editor"].post(f"{ADMIN}confirm/", {"attendance": [attendance.pk]}))
    assert not Transfer.objects.exists()


# --- Accounts, masked mobiles, reversals ---------------------------------------------------------------


def test_grid_workers_see_masked_mobiles_and_the_secretary_the_full_number(staff):
    people, clients = staff
    person = f.person(name="王秀兰", mobile="13812345678")
    f.give_points(person, 5)
    for role, shown, hidden in (("worker", "138****5678", "13812345678"), ("secretary", "13812345678", None)):
        listing = text(clients[role].get(f"{ADMIN}accounts/"))
        assert "王秀兰" in listing and shown in listing
        if hidden:
            assert hidden not in listing
        account = Account.objects.get(person=person)
        detail = text(clients[role].get(f"{ADMIN}accounts/{account.pk}/"))
        assert shown in detail and "测试发放" in detail
    assert refused(clients["editor"].get(f"{ADMIN}accounts/"))


@pytest.mark.parametrize(
    "query,found", [("王秀", True), ("5678", True), ("李", False), ("\x00", None), ("x" * 500, None)]
)
def test_searching_accounts(staff, query, found):
    people, clients = staff
    person = f.person(name="王秀兰", mobile="13812345678")
    f.give_points(person, 1)
    response = clients["worker"].get(f"{ADMIN}accounts/", {"q": query})
    assert response.status_code in (200, 404)
    if found is not None:
        assert response.status_code == 200 and (("王秀兰" in text(response)) is found)


def test_a_reversal_needs_a_reason_and_a_second_person(staff):
    people, clients = staff
    person = f.person(name="王秀兰")
    record = f.give_points(person, 5)
    account = Account.objects.get(person=person)
    url = f"{ADMIN}transfers/{record.pk}/reverse/?account={account.pk}"
    assert "请写明理由" in text(clients["secretary"].post(url, {"reason": "   "}))
    assert not ReversalRequest.objects.exists()
    response = clients["secretary"].post(url, {"reason": "重复登记了同一次活动"}, follow=True)
    assert "冲正申请已提交" in text(response) and "待复核" in text(response)
    asked = ReversalRequest.objects.get()
    # A second request for the same transfer is refused while one is pending.
    assert "已有一条待复核的冲正申请" in text(clients["deputy"].post(url, {"reason": "再来一次"}))
    # The one who asked cannot approve.
    own = clients["secretary"].post(f"{ADMIN}reversals/", {"request": asked.pk, "decision": "approve"}, follow=True)
    assert "不能复核自己的申请" in text(own) and balance(person) == 5
    done = clients["deputy"].post(f"{ADMIN}reversals/", {"request": asked.pk, "decision": "approve"}, follow=True)
    assert "已冲正" in text(done) and balance(person) == 0
    reversal = Transfer.objects.get(kind="reverse")
    assert reversal.created_by == people["secretary"] and reversal.approved_by == people["deputy"]
    assert reversal.reason == "重复登记了同一次活动"
    # Approving again (a double click) changes nothing.
    clients["deputy"].post(f"{ADMIN}reversals/", {"request": asked.pk, "decision": "approve"})
    assert Transfer.objects.filter(kind="reverse").count() == 1 and balance(person) == 0
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"points.request_reversal", "points.reverse"} <= actions


def test_a_rejected_reversal_changes_no_balance(staff):
    people, clients = staff
    person = f.person()
    record = f.give_points(person, 4)
    clients["secretary"].post(f"{ADMIN}transfers/{record.pk}/reverse/", {"reason": "误发"})
    asked = ReversalRequest.objects.get()
    clients["deputy"].post(f"{ADMIN}reversals/", {"request": asked.pk, "decision": "reject", "note": "核实无误"})
    asked.refresh_from_db()
    assert asked.status == "rejected" and asked.decided_by == people["deputy"] and balance(person) == 4


@pytest.mark.parametrize("data", [{}, {"request": "abc"}, {"request": "999999"}, {"request": "1", "decision": "maybe"}])
def test_wrong_decisions_are_refused_plainly(staff, data):
    people, clients = staff
    response = clients["deputy"].post(f"{ADMIN}reversals/", data, follow=True)
    assert response.status_code == 200 and (
        "不存在或已经处理过" in text(response) or "请选择同意或驳回" in text(response)
    )


def test_grid_workers_neither_ask_for_nor_approve_reversals(staff):
    people, clients = staff
    record = f.give_points(f.person(), 3)
    assert refused(clients["worker"].get(f"{ADMIN}transfers/{record.pk}/reverse/"))
    assert refused(clients["worker"].post(f"{ADMIN}transfers/{record.pk}/reverse/", {"reason": "x"}))
    assert refused(clients["worker"].get(f"{ADMIN}reversals/"))
    assert not ReversalRequest.objects.exists()


# --- Settlements -------------------------------------------------------------------------------


def spend_last_month(shop, person, points):
    code = spending.issue_code(person, points)[1]
    record = spending.confirm(code, shop, None)
    return record


def test_the_office_confirms_a_shops_month_once(staff, monkeypatch):
    people, clients = staff
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    resident = f.person(name="王秀兰")
    f.give_points(resident, 10)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    moment = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    spend_last_month(shop, resident, 3)
    monkeypatch.undo()
    month = f"{last_month:%Y-%m}"
    page = text(clients["secretary"].get(f"{ADMIN}settlements/", {"month": month}))
    assert "老王粮油店" in page and "确认结算" in page
    workbook = clients["secretary"].get(f"{ADMIN}settlements/{shop.pk}.xlsx", {"month": month})
    assert workbook["Content-Disposition"].startswith(
        f'attachment; filename="points-statement-{shop.pk}-{month}.xlsx"; '
    )
    assert unquote(workbook["Content-Disposition"].split("''", 1)[1]) == (
        f"老王粮油店 积分抵扣明细 {last_month.year}年{last_month.month}月.xlsx"
    )
    rows = list(load_workbook(io.BytesIO(workbook.content)).active.values)
    assert rows[2][1] == "王*兰" and rows[-1][2] == 3
    for _click in range(2):
        clients["secretary"].post(f"{ADMIN}settlements/?month={month}", {"merchant": shop.pk})
    settlement = Settlement.objects.get()
    assert settlement.points == 3 and Account.for_merchant(shop).balance == 0
    assert "已结算 3 分" in text(clients["secretary"].get(f"{ADMIN}settlements/", {"month": month}))


def test_the_current_month_cannot_be_settled(staff):
    people, clients = staff
    shop = f.merchant(accepts_volunteer_points=True)
    month = f"{timezone.localdate():%Y-%m}"
    response = clients["secretary"].post(f"{ADMIN}settlements/?month={month}", {"merchant": shop.pk}, follow=True)
    assert "本月还没有结束" in text(response) and not Settlement.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-1-1", "\x00"])
def test_a_wrong_settlement_month_is_a_404(staff, month):
    people, clients = staff
    assert clients["secretary"].get(f"{ADMIN}settlements/", {"month": month}).status_code == 404


def test_only_the_secretary_settles(staff):
    people, clients = staff
    for role in ("editor", "worker"):
        assert refused(clients[role].get(f"{ADMIN}settlements/"))


# --- Residents without a phone: a printed card, and acting for them at the window ------------------


def test_the_office_adds_an_elderly_resident_and_prints_a_card(staff):
    people, clients = staff
    assert "请填写姓名" in text(clients["secretary"].post(f"{ADMIN}accounts/new/", {"name": " "}))
    assert "手机号" in text(clients["secretary"].post(f"{ADMIN}accounts/new/", {"name": "刘奶奶", "mobile": "123"}))
    assert not Person.objects.exists()
    response = clients["secretary"].post(f"{ADMIN}accounts/new/", {"name": "刘奶奶", "mobile": ""}, follow=True)
    assert "已添加居民 刘奶奶" in text(response)
    person = Person.objects.get(name="刘奶奶")
    account = Account.objects.get(person=person)
    card_page = clients["secretary"].post(f"{ADMIN}accounts/{account.pk}/card/")
    assert "no-store" in card_page["Cache-Control"]
    body = text(card_page)
    card = PointsCard.objects.get(person=person)
    pin = body.split("data-pin>")[1].split("<")[0]
    assert card.display_number in body and card.check_pin(pin)
    # A replacement card: the old number stops working.
    old_number = card.number
    clients["secretary"].post(f"{ADMIN}accounts/{account.pk}/card/")
    assert not PointsCard.objects.filter(number=old_number).exists()
    logged = ModelLogEntry.objects.filter(action="points.issue_card").count()
    assert logged == 2


def test_a_card_locks_after_wrong_pins(staff, settings):
    settings.POINTS_CARD_PIN_TRIES = 3
    shop = f.merchant(accepts_volunteer_points=True)
    person = f.person(name="刘奶奶")
    f.give_points(person, 10)
    card = f.points_card(person, pin="2468")
    for attempt in range(3):
        with pytest.raises(LedgerError, match="卡号或密码不正确"):
            spending.confirm_card(card.number, "0000", 2, shop, None, f"k{attempt}")
    with pytest.raises(LedgerError, match="输错次数过多"):
        spending.confirm_card(card.number, "2468", 2, shop, None, "right-but-locked")
    assert balance(person) == 10


def test_acting_for_a_resident_needs_a_reason_and_is_logged(staff):
    people, clients = staff
    activity = f.activity(title="重阳节敬老")
    person = f.person(name="刘奶奶")
    account = Account.for_person(person)
    url = f"{ADMIN}accounts/{account.pk}/act-for/"
    missing = text(clients["secretary"].post(url, {"activity": activity.pk, "reason": ""}))
    assert "请写明理由" in missing and not SignUp.objects.exists()
    wrong = text(clients["secretary"].post(url, {"activity": "999999", "reason": "老人没有手机"}))
    assert "已截止报名或不存在" in wrong
    response = clients["secretary"].post(
        url, {"activity": activity.pk, "reason": "老人没有手机，到窗口报名"}, follow=True
    )
    assert "已为 刘奶奶 报名" in text(response)
    sign_up = SignUp.objects.get()
    assert sign_up.on_behalf_by == people["secretary"]
    entry = ModelLogEntry.objects.get(action="points.act_for")
    assert entry.data["reason"] == "老人没有手机，到窗口报名" and entry.user == people["secretary"]
    assert refused(clients["worker"].post(url, {"activity": activity.pk, "reason": "x"}))


def test_resident_text_is_escaped_in_the_admin(staff):
    people, clients = staff
    person = f.person(name="<script>alert(1)</script>")
    f.give_points(person, 2, memo="<img src=x onerror=alert(1)>")
    account = Account.objects.get(person=person)
    for url in (f"{ADMIN}accounts/", f"{ADMIN}accounts/{account.pk}/"):
        body = text(clients["secretary"].get(url))
        assert "<script>alert(1)" not in body and "<img src=x" not in body and "&lt;script&gt;" in body


def test_the_account_page_runs_the_same_queries_for_many_movements(staff, django_assert_max_num_queries):
    people, clients = staff
    person = f.person()
    f.give_points(person, 1)
    account = Account.objects.get(person=person)
    url = f"{ADMIN}accounts/{account.pk}/"
    few = rendered_queries(django_assert_max_num_queries, clients["secretary"], url, 40)
    for _number in range(40):
        f.give_points(person, 1)
    many = rendered_queries(django_assert_max_num_queries, clients["secretary"], url, 40)
    assert many == few


def dashboard_count(client, name):
    """The number a panel shows on the admin dashboard, or None when it is not there."""
    found = re.search(rf'data-count="{name}">(\d+)<', text(client.get("/admin/")))
    return int(found.group(1)) if found else None


def test_the_dashboard_counts_what_waits_for_a_second_person(staff):
    people, clients = staff
    activity = f.activity(title="楼道清扫")
    wang, li = signed_up(activity, "王秀兰", "李建国")
    f.happened(activity)
    earning.record_attendance(activity, wang, "2", people["editor"])
    earning.record_attendance(activity, li, "1", people["worker"])
    # The worker recorded 李建国 and cannot confirm it: only 王秀兰 waits for them.
    assert dashboard_count(clients["worker"], "attendance") == 1
    assert dashboard_count(clients["secretary"], "attendance") == 2
    assert dashboard_count(clients["editor"], "attendance") is None  # editors do not confirm
    assert dashboard_count(clients["worker"], "reversals") is None
    record = f.give_points(f.person(name="赵桂芳"), 5)
    account = Account.objects.get(person__name="赵桂芳")
    clients["secretary"].post(f"{ADMIN}transfers/{record.pk}/reverse/?account={account.pk}", {"reason": "登记错了人"})
    assert dashboard_count(clients["secretary"], "reversals") == 0
    assert dashboard_count(clients["deputy"], "reversals") == 1
    page = text(clients["deputy"].get("/admin/"))
    assert "志愿积分待办" in page and f'href="{ADMIN}reversals/"' in page
