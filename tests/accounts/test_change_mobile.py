"""更换手机号: proved by a code sent to the new number; everything stays on the account; a number
that is another person's account is never taken over; the old number is told."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Person
from points.models import Account
from portal import sms
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db
OLD, NEW = "13812345678", "13987654321"


@pytest.fixture
def resident(sms_outbox):
    client = Client()
    sign_in(client, OLD)
    person = Person.objects.get(mobile=OLD)
    f.give_points(person, 5)
    return client, person


def change_code(mobile):
    message = next(m for m in reversed(sms.outbox) if m.mobile == mobile and m.kind == "mobile_change_code")
    return message.params["code"]


def test_a_resident_moves_to_a_new_number_and_keeps_everything(resident):
    client, person = resident
    page = client.get("/my/mobile/").content.decode()
    assert "138****5678" in page
    assert client.post("/my/mobile/", {"mobile": NEW})["Location"] == "/my/mobile/code/"
    assert "139****4321" in client.get("/my/mobile/code/").content.decode()
    done = client.post("/my/mobile/code/", {"code": change_code(NEW)}, follow=True)
    assert "登录手机号已更换" in done.content.decode()
    person.refresh_from_db()
    assert person.mobile == NEW and Account.for_person(person).balance == 5
    told = [m for m in sms.outbox if m.mobile == OLD and m.kind == "mobile_changed"]
    assert told and "139****4321" in told[0].text
    # The new number signs in to the same account; the old one opens nothing of it.
    again = Client()
    sign_in(again, NEW)
    assert Person.objects.get(mobile=NEW).pk == person.pk


def test_a_wrong_code_changes_nothing_and_tries_run_out(resident):
    client, person = resident
    client.post("/my/mobile/", {"mobile": NEW})
    right = change_code(NEW)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        page = client.post("/my/mobile/code/", {"code": wrong}).content.decode()
        assert "验证码不正确或已过期" in page
    # Out of tries: even the right code is refused now, and a new one must be asked for.
    assert "验证码不正确或已过期" in client.post("/my/mobile/code/", {"code": right}).content.decode()
    assert client.get("/my/mobile/code/")["Location"] == "/my/mobile/"
    person.refresh_from_db()
    assert person.mobile == OLD


def test_an_expired_code_is_refused(resident):
    client, person = resident
    client.post("/my/mobile/", {"mobile": NEW})
    session = client.session
    session["mobile_change"]["until"] = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()
    session.save()
    page = client.post("/my/mobile/code/", {"code": change_code(NEW)}).content.decode()
    assert "验证码不正确或已过期" in page
    person.refresh_from_db()
    assert person.mobile == OLD


@pytest.mark.parametrize(
    "typed,message",
    [("", "请填写手机号码"), ("1381234", "手机号码"), ("abc", "手机号码"), (OLD, "这就是您现在的手机号")],
)
def test_wrong_new_numbers_get_a_message_and_send_nothing(resident, typed, message):
    client, _person = resident
    sent = len(sms.outbox)
    page = client.post("/my/mobile/", {"mobile": typed}).content.decode()
    assert message in page and len(sms.outbox) == sent


def test_another_persons_account_is_not_taken_over(resident):
    client, person = resident
    other = f.person(name="李建国", mobile=NEW)
    client.post("/my/mobile/", {"mobile": NEW})
    # The question "is this number someone's?" is answered only now, to whoever holds the number.
    page = client.post("/my/mobile/code/", {"code": change_code(NEW)}).content.decode()
    assert "另一个账号" in page and "社区服务中心" in page
    person.refresh_from_db()
    other.refresh_from_db()
    assert person.mobile == OLD and other.mobile == NEW


def test_a_number_that_only_asked_for_a_code_is_free_to_take(resident):
    client, person = resident
    Client().post("/my/sign-in/", {"mobile": NEW})  # makes an inactive placeholder, nothing more
    placeholder = Person.objects.get(mobile=NEW)
    assert placeholder.verified_at is None
    client.post("/my/mobile/", {"mobile": NEW})
    client.post("/my/mobile/code/", {"code": change_code(NEW)})
    person.refresh_from_db()
    assert person.mobile == NEW and not Person.objects.filter(pk=placeholder.pk).exists()


def test_the_code_page_without_a_pending_change_goes_back(resident):
    client, _person = resident
    assert client.get("/my/mobile/code/")["Location"] == "/my/mobile/"
