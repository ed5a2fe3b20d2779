"""注销账号: a resident closes their account; what identifies them goes, the ledger stays whole and
anonymous, the balance goes back to the issuer, live codes die, places go to who waits, and the
same mobile can start afresh."""

import pytest
from django.test import Client

from accounts.models import Person
from points import earning, spending
from points.ledger import LedgerError, reconcile
from points.models import Account, SignUp, Transfer
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


@pytest.fixture
def resident(sms_outbox):
    client = Client()
    sign_in(client, MOBILE)
    person = Person.objects.get(mobile=MOBILE)
    person.name = "王秀兰"
    person.save()
    return client, person


def test_closing_needs_the_box_ticked_and_says_what_will_go(resident):
    client, person = resident
    f.give_points(person, 7)
    page = client.get("/my/close/").content.decode()
    assert "志愿积分余额 7 分作废" in page and "确认注销" in page
    refused = client.post("/my/close/", {})
    assert "请先勾选确认，再注销账号" in refused.content.decode()
    person.refresh_from_db()
    assert person.closed_at is None and person.mobile == MOBILE and Account.for_person(person).balance == 7


def test_a_closed_account_keeps_the_ledger_anonymous_and_balanced(resident):
    client, person = resident
    f.give_points(person, 7)
    _code, digits = spending.issue_code(person, 2)
    response = client.post("/my/close/", {"understood": "on"}, follow=True)
    assert "您的账号已注销" in response.content.decode()
    person.refresh_from_db()
    assert person.closed_at and person.mobile is None and person.name == ""
    assert person.masked_name == "已注销" and not person.user.is_active
    account = Account.objects.get(person=person)
    assert account.balance == 0 and Transfer.objects.filter(kind="close").count() == 1
    assert reconcile() == []
    # Signed out, and the spend code made before closing no longer works at any shop.
    assert client.get("/my/").status_code == 302
    shop = f.merchant(accepts_volunteer_points=True)
    with pytest.raises(LedgerError):
        spending.confirm(digits, shop, f.editor("clerk"))
    assert Transfer.objects.filter(kind="spend").count() == 0


def test_the_same_mobile_signs_in_afresh_to_an_empty_account(resident, sms_outbox):
    client, person = resident
    f.give_points(person, 3)
    client.post("/my/close/", {"understood": "on"})
    again = Client()
    sign_in(again, MOBILE)
    fresh = Person.objects.get(mobile=MOBILE)
    assert fresh.pk != person.pk and fresh.closed_at is None
    assert "王秀兰" not in again.get("/my/").content.decode()
    assert Account.for_person(fresh).balance == 0


def test_a_closed_account_leaves_its_places_and_gets_no_more_points(resident):
    client, person = resident
    coming = f.activity(title="楼道清扫", places=1)
    earning.sign_up(coming, person)
    waiting = f.person(name="李建国")
    assert earning.sign_up(coming, waiting).status == "waiting"
    past = f.activity(title="关爱独居老人", starts_in_days=-1)
    attendance = earning.record_attendance(past, person, "2", f.editor("organiser"))
    client.post("/my/close/", {"understood": "on"})
    assert SignUp.objects.get(activity=coming, person=person).status == "cancelled"
    assert SignUp.objects.get(activity=coming, person=waiting).status == "confirmed"
    with pytest.raises(LedgerError, match="已注销账号"):
        earning.confirm_attendance(attendance, f.moderator("secretary"))


def test_staff_signed_in_to_the_admin_cannot_close_anything(db):
    client = Client()
    client.force_login(f.moderator("secretary"))
    assert client.post("/my/close/", {"understood": "on"}).status_code == 403


@pytest.mark.parametrize("url", ["/my/name/", "/my/close/", "/my/points/spend/"])
def test_an_empty_post_is_answered_with_the_fields_errors(resident, url):
    """A POST without a single field (a client sending no body) is a submission, not a fresh form."""
    client, person = resident
    page = client.post(url, {}).content.decode()
    assert 'aria-invalid="true"' in page or "error-summary" in page, page[:300]
    person.refresh_from_db()
    assert person.closed_at is None and person.name == "王秀兰"
