"""Earning points: residents sign up on the notice (a waiting list when full, cancelling until the
deadline); the organiser records hours, a second person confirms, and only then are points issued,
once per activity and resident. Each issued point is published (公示) with the name masked."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from points import earning, ledger
from points.ledger import LedgerError
from points.models import Account, Attendance, SignUp, Transfer
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    grid_ = f.grid()
    return {"organiser": f.editor("organiser"), "worker": f.grid_worker(grid_, "worker")}


def balance(person):
    account = Account.objects.filter(person=person).first()
    return account.balance if account else 0


def signed_in(mobile, name="王秀兰"):
    person = f.person(name=name, mobile=mobile)
    client = Client()
    sign_in(client, mobile)
    return person, client


# --- Signing up ------------------------------------------------------------------------------


def test_a_resident_signs_up_on_the_notice_and_sees_it_on_my(sms_outbox):
    activity = f.activity(title="幸福里街道清扫", places=2)
    person, client = signed_in("13812340001")
    page = client.get(activity.notice.url)
    assert "我要报名" in page.content.decode() and "还剩 2" in page.content.decode()
    response = client.post(f"/my/activities/{activity.pk}/sign-up/", follow=True)
    text = response.content.decode()
    assert "报名成功" in text and "您的报名：已报名" in text and "还剩 1" in text
    mine = client.get("/my/").content.decode()
    assert "幸福里街道清扫" in mine and "已报名" in mine


def test_signing_up_twice_keeps_one_place(sms_outbox):
    activity = f.activity(places=3)
    person, client = signed_in("13812340002")
    for _attempt in range(3):
        client.post(f"/my/activities/{activity.pk}/sign-up/")
    assert SignUp.objects.filter(activity=activity, person=person).count() == 1


def test_past_the_places_residents_wait_and_a_cancellation_moves_the_first_up(sms_outbox):
    activity = f.activity(places=1)
    first, first_client = signed_in("13812340003", "张大妈")
    second, second_client = signed_in("13812340004", "李大爷")
    third, third_client = signed_in("13812340005", "赵阿姨")
    first_client.post(f"/my/activities/{activity.pk}/sign-up/")
    waiting = second_client.post(f"/my/activities/{activity.pk}/sign-up/", follow=True).content.decode()
    assert "候补名单" in waiting and "您的报名：候补" in waiting
    third_client.post(f"/my/activities/{activity.pk}/sign-up/")
    first_client.post(f"/my/activities/{activity.pk}/cancel/")
    status = dict(SignUp.objects.filter(activity=activity).values_list("person__name", "status"))
    assert status == {"张大妈": "cancelled", "李大爷": "confirmed", "赵阿姨": "waiting"}


def test_after_the_deadline_nobody_signs_up_or_cancels(sms_outbox):
    activity = f.activity(sign_up_until=timezone.now() + datetime.timedelta(hours=1))
    person, client = signed_in("13812340006")
    client.post(f"/my/activities/{activity.pk}/sign-up/")
    type(activity).objects.filter(pk=activity.pk).update(sign_up_until=timezone.now() - datetime.timedelta(minutes=1))
    refused = client.post(f"/my/activities/{activity.pk}/cancel/", follow=True).content.decode()
    assert "已过报名截止时间，不能取消" in refused
    assert SignUp.objects.get(activity=activity, person=person).status == "confirmed"
    late, late_client = signed_in("13812340007", "晚来的")
    text = late_client.post(f"/my/activities/{activity.pk}/sign-up/", follow=True).content.decode()
    assert "报名已经截止" in text and not SignUp.objects.filter(person=late).exists()


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_notice(sms_outbox):
    activity = f.activity()
    page = Client().get(activity.notice.url).content.decode()
    assert "登录后报名" in page and "我要报名" not in page
    response = Client().post(f"/my/activities/{activity.pk}/sign-up/")
    assert response.status_code == 302 and "/my/sign-in/" in response["Location"]
    assert not SignUp.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "0"])
def test_an_unknown_activity_is_a_404(sms_outbox, pk):
    person, client = signed_in("13812340008")
    assert client.post(f"/my/activities/{pk}/sign-up/").status_code == 404
    assert client.post(f"/my/activities/{pk}/cancel/").status_code == 404


def test_sign_up_is_post_only(sms_outbox):
    activity = f.activity()
    person, client = signed_in("13812340009")
    assert client.get(f"/my/activities/{activity.pk}/sign-up/").status_code == 405
    assert not SignUp.objects.exists()


def test_a_draft_notice_takes_no_sign_ups(sms_outbox):
    activity = f.activity()
    activity.notice.unpublish()
    person, client = signed_in("13812340010")
    assert client.post(f"/my/activities/{activity.pk}/sign-up/").status_code == 404


def test_an_activity_needs_a_volunteer_notice_and_sensible_times():
    market = f.notice(kind="market_day")
    activity = f.activity()
    activity.notice = market
    activity.ends_at = activity.starts_at - datetime.timedelta(hours=1)
    activity.sign_up_until = activity.starts_at + datetime.timedelta(hours=1)
    with pytest.raises(Exception) as refused:
        activity.full_clean()
    errors = refused.value.message_dict
    assert "志愿服务" in errors["notice"][0] and "结束时间" in errors["ends_at"][0]
    assert "报名截止" in errors["sign_up_until"][0]


# --- Attendance, confirmation, issuance --------------------------------------------------------


def test_points_are_issued_only_after_a_second_person_confirms(staff):
    activity = f.activity(points_per_hour=1, points_cap=4, starts_in_days=-1)
    resident = f.person(name="王秀兰")
    attendance = earning.record_attendance(activity, resident, "3", staff["organiser"])
    assert balance(resident) == 0 and not Transfer.objects.exists()
    with pytest.raises(LedgerError, match="不能自己复核"):
        earning.confirm_attendance(attendance, staff["organiser"])
    assert balance(resident) == 0
    earning.confirm_attendance(attendance, staff["worker"])
    assert balance(resident) == 3
    record = Transfer.objects.get(kind="issue")
    assert record.created_by == staff["organiser"] and record.approved_by == staff["worker"]
    assert sum(record.entries.values_list("amount", flat=True)) == 0


def test_the_database_refuses_one_person_recording_and_confirming(staff):
    activity = f.activity(starts_in_days=-1)
    attendance = earning.record_attendance(activity, f.person(), "2", staff["organiser"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.filter(pk=attendance.pk).update(confirmed_by=staff["organiser"])


def test_confirming_twice_issues_once(staff):
    activity = f.activity(starts_in_days=-1)
    resident = f.person()
    attendance = earning.record_attendance(activity, resident, "2", staff["organiser"])
    first = earning.confirm_attendance(attendance, staff["worker"])
    again = earning.confirm_attendance(attendance, f.moderator("secretary"))
    assert first == again and balance(resident) == 2
    assert Transfer.objects.filter(kind="issue").count() == 1


def test_the_cap_per_activity_holds_and_confirmed_hours_cannot_change(staff):
    activity = f.activity(points_per_hour=2, points_cap=5, starts_in_days=-1)
    resident = f.person()
    attendance = earning.record_attendance(activity, resident, "1.5", staff["organiser"])
    attendance = earning.record_attendance(activity, resident, "6", staff["organiser"])  # corrected before confirmation
    assert attendance.hours == Decimal("6.0") and attendance.points == 5
    earning.confirm_attendance(attendance, staff["worker"])
    with pytest.raises(LedgerError, match="已经复核发放"):
        earning.record_attendance(activity, resident, "8", staff["organiser"])
    assert balance(resident) == 5


@pytest.mark.parametrize("typed", ["", "abc", "-1", "0", "25", "1e400", "NaN", "Infinity", "２.５小时"])
def test_hours_are_checked(staff, typed):
    activity = f.activity(starts_in_days=-1)
    resident = f.person()
    if typed == "２.５小时":
        assert earning.record_attendance(activity, resident, typed, staff["organiser"]).hours == Decimal("2.5")
        return
    with pytest.raises(LedgerError, match="服务时长"):
        earning.record_attendance(activity, resident, typed, staff["organiser"])
    assert not Attendance.objects.exists()


def test_too_few_hours_for_a_point_issue_nothing(staff):
    activity = f.activity(points_per_hour=1, starts_in_days=-1)
    attendance = earning.record_attendance(activity, f.person(), "0.5", staff["organiser"])
    with pytest.raises(LedgerError, match="不足以获得积分"):
        earning.confirm_attendance(attendance, staff["worker"])
    assert not Transfer.objects.exists()


def test_recording_and_confirming_are_in_the_audit_log(staff):
    attendance = earning.record_attendance(f.activity(starts_in_days=-1), f.person(), "2", staff["organiser"])
    earning.confirm_attendance(attendance, staff["worker"])
    actions = list(ModelLogEntry.objects.order_by("pk").values_list("action", "user__username"))
    assert actions == [("points.record_attendance", "organiser"), ("points.confirm_attendance", "worker")]


# --- 公示 -------------------------------------------------------------------------------------


def issued(activity, person, hours, staff):
    return earning.confirm_attendance(
        earning.record_attendance(activity, person, hours, staff["organiser"]), staff["worker"]
    )


def test_the_month_publicity_page_lists_issued_points_with_names_masked(staff):
    activity = f.activity(title="关爱独居老人", starts_in_days=-1)
    issued(activity, f.person(name="王建国"), "3", staff)
    issued(activity, f.person(name="李红"), "2", staff)
    text = Client().get("/points/").content.decode()
    assert "关爱独居老人" in text and "王*国 3" in text and "李* 2" in text and "本月共发放 5 分" in text
    assert "王建国" not in text and "李红" not in text


def test_a_reversed_issuance_leaves_the_publicity(staff):
    activity = f.activity(title="河道保洁", starts_in_days=-1)
    resident = f.person(name="王建国")
    record = issued(activity, resident, "3", staff)
    ledger.reverse(record, reason="重复登记", requested_by=staff["organiser"], approved_by=f.moderator("secretary"))
    text = Client().get("/points/").content.decode()
    assert "王*国" not in text and "这个月还没有发放志愿积分" in text
    assert balance(resident) == 0


def test_the_volunteer_notice_shows_its_publicity(staff):
    activity = f.activity(title="楼道清理", starts_in_days=-2)
    issued(activity, f.person(name="张三丰"), "2", staff)
    text = Client().get(activity.notice.url).content.decode()
    assert "积分公示" in text and "张*丰 2" in text and "张三丰" not in text


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "abc", "2026-1", "\x00", "9999999-01"])
def test_a_wrong_month_on_the_publicity_page_is_a_404(month):
    assert Client().get("/points/", {"month": month}).status_code == 404


def test_an_earlier_month_is_listed_on_its_own(staff):
    text = Client().get("/points/", {"month": "2026-01"}).content.decode()
    assert "2026年1月" in text and "这个月还没有发放志愿积分" in text and "下个月" in text


def test_attendance_waits_for_the_activity_to_start(staff):
    activity = f.activity(starts_in_days=2)
    with pytest.raises(LedgerError, match="活动开始后才能登记出勤"):
        earning.record_attendance(activity, f.person(), "2", staff["organiser"])
    assert not Attendance.objects.exists()
