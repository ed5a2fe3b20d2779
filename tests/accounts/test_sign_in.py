"""Sign-in by mobile and SMS code on the public site: codes random, hashed, short-lived, single use,
limited per number and per client; one answer for every wrong code; never a way into the admin."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import MobileDevice, Person
from portal.sms import SMSUnavailable
from tests import factories as f
from tests.accounts.helpers import last_code, request_code, sign_in

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"
WRONG = "验证码不正确或已过期，请重新获取。"


class FailingSMSBackend:
    """A gateway that does not answer (the real Aliyun backend raises the same after its retries)."""

    def send(self, message):
        raise SMSUnavailable("Aliyun SMS unreachable: timed out")


def test_the_sign_in_page_asks_for_a_mobile_in_chinese(client):
    text = client.get("/my/sign-in/").content.decode()
    assert "用手机号码登录" in text and "获取验证码" in text and 'inputmode="tel"' in text


def test_a_code_by_sms_then_signed_in_on_my_page(client, sms_outbox):
    response = request_code(client, "+86 138-1234-5678")
    assert response.status_code == 302 and response["Location"] == "/my/sign-in/code/"
    [message] = sms_outbox
    assert message.mobile == MOBILE and message.kind == "sign_in_code" and len(message.params["code"]) == 6
    page = client.get("/my/sign-in/code/").content.decode()
    assert "138****5678" in page and MOBILE not in page
    response = client.post("/my/sign-in/code/", {"code": message.params["code"]})
    assert response.status_code == 302 and response["Location"] == "/my/"
    person = Person.objects.get(mobile=MOBILE)
    assert person.is_verified and person.user.is_active and not person.user.has_usable_password()
    my = client.get("/my/").content.decode()
    assert "我的" in my and "138****5678" in my and "退出登录" in my


def test_the_code_is_stored_only_as_a_keyed_hash(client):
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    device = MobileDevice.objects.get()
    assert device.token_hash and code not in device.token_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_mobiledevice")
        assert all(code not in str(value) for row in cursor.fetchall() for value in row)


def test_a_code_works_once(client):
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    assert client.post("/my/sign-in/code/", {"code": code}).status_code == 302
    client.post("/my/sign-out/")
    other = Client()
    other.post("/my/sign-in/", {"mobile": MOBILE})  # in cooldown: no new code, the session knows the number
    other.session.save()
    session = other.session
    session["sign_in_mobile"] = MOBILE
    session.save()
    response = other.post("/my/sign-in/code/", {"code": code})
    assert WRONG in response.content.decode() and "_auth_user_id" not in other.session


def test_an_expired_code_is_refused_with_the_same_words(client):
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    MobileDevice.objects.update(valid_until=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post("/my/sign-in/code/", {"code": code})
    assert response.status_code == 200 and WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("typed", ["000000", "12345", "", "abcdef", "１２３４５６", "1234567890"])
def test_wrong_codes_get_one_message_and_nothing_changes(client, typed):
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    typed = typed if typed != code else "999999"
    response = client.post("/my/sign-in/code/", {"code": typed})
    text = response.content.decode()
    assert response.status_code == 200
    assert (WRONG in text) or ("请输入短信验证码。" in text)
    person = Person.objects.get(mobile=MOBILE)
    assert not person.is_verified and not person.user.is_active


def test_full_width_digits_and_spaces_in_the_right_code_are_accepted(client):
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    typed = " ".join(chr(ord(d) + 0xFEE0) for d in code)  # １ ２ ３ … as some keyboards give them
    assert client.post("/my/sign-in/code/", {"code": typed}).status_code == 302


def test_known_and_unknown_numbers_get_the_same_answers(client):
    sign_in(Client(), "13900001111")  # a number with an account
    client_a, client_b = Client(), Client()
    known, unknown = request_code(client_a, "13900001111"), request_code(client_b, "13700002222")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    wrong_known = client_a.post("/my/sign-in/code/", {"code": "000000"}).content.decode()
    wrong_unknown = client_b.post("/my/sign-in/code/", {"code": "000000"}).content.decode()
    assert WRONG in wrong_known and WRONG in wrong_unknown


def test_a_number_gets_a_new_code_only_after_the_cooldown(client, sms_outbox):
    request_code(client, MOBILE)
    response = request_code(Client(), MOBILE)
    assert response.status_code == 429 and "请稍等一分钟" in response.content.decode()
    assert len(sms_outbox) == 1
    MobileDevice.objects.update(last_generated_timestamp=timezone.now() - datetime.timedelta(seconds=61))
    assert request_code(Client(), MOBILE).status_code == 302 and len(sms_outbox) == 2


def test_a_number_gets_a_limited_number_of_codes_a_day(client, settings, sms_outbox):
    settings.SIGN_IN_CODE_COOLDOWN = 0
    settings.SIGN_IN_CODES_PER_NUMBER = 3
    for n in range(3):
        assert request_code(Client(REMOTE_ADDR=f"203.0.113.{n}"), MOBILE).status_code == 302
    response = request_code(Client(REMOTE_ADDR="203.0.113.9"), MOBILE)
    assert response.status_code == 429 and "今天获取验证码的次数已达上限" in response.content.decode()
    assert len(sms_outbox) == 3


def test_a_client_gets_a_limited_number_of_codes_an_hour(settings, sms_outbox):
    settings.SIGN_IN_CODES_PER_CLIENT = 2
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert request_code(client, "13800000011").status_code == 302
    assert request_code(client, "13800000012").status_code == 302
    response = request_code(client, "13800000013")
    assert response.status_code == 429 and "获取验证码次数过多" in response.content.decode()
    assert [m.mobile for m in sms_outbox] == ["13800000011", "13800000012"]


def test_wrong_codes_back_off_so_guessing_is_slow(client, settings):
    settings.SIGN_IN_THROTTLE_FACTOR = 1
    request_code(client, MOBILE)
    code = last_code(MOBILE)
    client.post("/my/sign-in/code/", {"code": "000000"})
    # Straight after a wrong code even the right one is refused: the device waits 1 s, then 2, 4...
    assert WRONG in client.post("/my/sign-in/code/", {"code": code}).content.decode()
    MobileDevice.objects.update(throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5))
    assert client.post("/my/sign-in/code/", {"code": code}).status_code == 302


def test_a_client_gets_a_limited_number_of_attempts(settings):
    settings.SIGN_IN_ATTEMPTS_PER_CLIENT = 3
    client = Client(REMOTE_ADDR="198.51.100.8")
    request_code(client, MOBILE)
    for _ in range(3):
        client.post("/my/sign-in/code/", {"code": "000000"})
    response = client.post("/my/sign-in/code/", {"code": last_code(MOBILE)})
    assert "尝试次数过多" in response.content.decode() and "_auth_user_id" not in client.session


def test_sms_that_cannot_be_sent_is_said_plainly_and_can_be_asked_again(client, settings, sms_outbox):
    settings.SMS_BACKEND = "tests.accounts.test_sign_in.FailingSMSBackend"
    response = request_code(client, MOBILE)
    assert response.status_code == 429 and "短信发送失败" in response.content.decode()
    settings.SMS_BACKEND = "portal.sms.LocMemSMSBackend"
    assert request_code(client, MOBILE).status_code == 302 and len(sms_outbox) == 1  # no cooldown to wait out


@pytest.mark.parametrize("typed", ["12345", "abc", "23812345678", "", "1381234567８９"])
def test_a_bad_number_is_a_field_error_and_sends_nothing(client, typed, sms_outbox):
    response = request_code(client, typed)
    text = response.content.decode()
    assert response.status_code == 200 and ("请输入有效的 11 位手机号码" in text or "请填写手机号码" in text)
    assert sms_outbox == [] and not Person.objects.exists()
    assert f'value="{typed}"' in text or not typed  # what was typed stays for correcting


def test_the_code_page_without_a_number_goes_back_to_the_first_step(client):
    response = client.get("/my/sign-in/code/")
    assert response.status_code == 302 and response["Location"] == "/my/sign-in/"


def test_next_is_followed_only_on_this_site(client):
    response = sign_in(client, MOBILE, next_url="/notices/")
    assert response["Location"] == "/notices/"
    other = Client()
    response = sign_in(other, "13900001111", next_url="https://evil.example/")
    assert response["Location"] == "/my/"


def test_my_page_needs_a_sign_in(client):
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/my/sign-in/?next=/my/")


def test_sign_out_ends_the_session(client):
    sign_in(client, MOBILE)
    assert client.post("/my/sign-out/").status_code == 302
    assert client.get("/my/").status_code == 302


def test_an_sms_session_never_reaches_the_admin(client):
    sign_in(client, MOBILE)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # Even if someone later gives that user staff rights, the SMS-code session stays public.
    user = Person.objects.get(mobile=MOBILE).user
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="审核"))
    assert "/admin/login/" in client.get("/admin/")["Location"]
    assert "/admin/login/" in client.get("/admin/cases/")["Location"]


def test_staff_still_sign_in_to_the_admin_with_their_password(client):
    f.moderator("secretary")
    response = client.post("/admin/login/", {"username": "secretary", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_staff_account_on_my_page_is_told_it_is_for_residents(client):
    client.force_login(f.moderator())
    response = client.get("/my/")
    assert response.status_code == 403 and "这是居民和商户的页面" in response.content.decode()


def test_requests_for_numbers_that_never_sign_in_leave_no_usable_account(client):
    request_code(client, MOBILE)
    person = Person.objects.get(mobile=MOBILE)
    assert not person.user.is_active and not person.is_verified
    assert get_user_model().objects.filter(is_active=True).count() == 0
