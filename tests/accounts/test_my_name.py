"""A resident's name on 我的: asked before the first sign-up, checked plainly, shown masked in public."""

import pytest
from django.test import Client

from accounts.models import Person
from points.models import SignUp
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


@pytest.fixture
def resident(sms_outbox):
    client = Client()
    sign_in(client, MOBILE)  # the first sign-in opens an account without a name
    return client


def test_a_first_sign_up_asks_for_the_name_and_comes_back(resident):
    activity = f.activity(title="街道清扫")
    response = resident.post(f"/my/activities/{activity.pk}/sign-up/")
    assert response.status_code == 302 and response["Location"].startswith("/my/name/")
    assert not SignUp.objects.exists()
    page = resident.get(response["Location"]).content.decode()
    assert "报名前请先留下您的姓名" in page
    saved = resident.post("/my/name/", {"name": " 王秀兰 ", "next": activity.notice.url})
    assert saved.status_code == 302 and saved["Location"] == activity.notice.url
    assert Person.objects.get(mobile=MOBILE).name == "王秀兰"
    resident.post(f"/my/activities/{activity.pk}/sign-up/")
    assert SignUp.objects.get().status == "confirmed"


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "请填写姓名"),
        ("   ", "请填写姓名"),
        ("王" * 21, "最多 20 个字"),
        ("<b>王</b>", "特殊符号"),
        ("王\x00兰", "字符"),
    ],
)
def test_a_wrong_name_is_refused_and_kept_for_correction(resident, typed, message):
    response = resident.post("/my/name/", {"name": typed})
    text = response.content.decode()
    assert response.status_code == 200 and message in text
    assert Person.objects.get(mobile=MOBILE).name == ""


def test_the_name_page_never_sends_you_to_another_site(resident):
    response = resident.post("/my/name/", {"name": "王秀兰", "next": "https://evil.example/"})
    assert response["Location"] == "/my/"


def test_my_shows_the_name_or_asks_for_it(resident):
    assert "留下您的姓名" in resident.get("/my/").content.decode()
    resident.post("/my/name/", {"name": "王秀兰"})
    text = resident.get("/my/").content.decode()
    assert "王秀兰" in text and "修改姓名" in text


def test_staff_and_visitors_have_no_name_page():
    assert Client().get("/my/name/").status_code == 302
    staff = Client()
    staff.force_login(f.editor())
    assert staff.get("/my/name/").status_code == 403
