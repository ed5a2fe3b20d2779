"""我的 lists the cases a resident reported with the mobile they signed in with, and opens each."""

import pytest
from django.test import Client

from casework.models import GrievanceReport
from tests import factories as f
from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


@pytest.fixture
def cases(world):
    mine = f.case(world["grid_a"], reporter_mobile=MOBILE, address="幸福里 3 号楼", state="resolved")
    theirs = f.case(world["grid_a"], reporter_mobile="13900001111", address="解放路 8 号")
    anonymous = f.case(world["grid_b"], reporter_mobile="", reporter_name="", anonymous=True)
    return {"mine": mine, "theirs": theirs, "anonymous": anonymous}


def test_cases_reported_with_the_verified_mobile_are_linked_and_listed(client, cases):
    sign_in(client, MOBILE)
    mine = GrievanceReport.objects.get(pk=cases["mine"].pk)
    assert mine.reporter_user.person.mobile == MOBILE
    assert GrievanceReport.objects.get(pk=cases["theirs"].pk).reporter_user is None
    my = client.get("/my/").content.decode()
    assert cases["mine"].reference in my and cases["theirs"].reference not in my and "我反映的问题" in my


def test_a_case_reported_after_signing_in_joins_the_list(client, world, cases):
    sign_in(client, MOBILE)
    later = f.case(world["grid_b"], reporter_mobile=MOBILE)
    assert later.reference in client.get("/my/").content.decode()


def test_a_resident_opens_and_rates_their_own_case_from_my_page(client, cases):
    sign_in(client, MOBILE)
    url = f"/my/cases/{cases['mine'].reference}/"
    page = client.get(url).content.decode()
    assert cases["mine"].reference in page and "评价办理结果" in page
    assert client.post(url, {"rating": "satisfied"}).status_code == 302
    assert GrievanceReport.objects.get(pk=cases["mine"].pk).rating == "satisfied"


def test_someone_elses_case_is_not_opened_from_my_page(client, cases):
    sign_in(client, MOBILE)
    response = client.get(f"/my/cases/{cases['theirs'].reference}/")
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.get("/my/cases/SJ-20261122-0042%00/").status_code == 302  # odd input: back to 我的


def test_my_case_page_needs_a_sign_in(cases):
    response = Client().get(f"/my/cases/{cases['mine'].reference}/")
    assert response.status_code == 302 and "/my/sign-in/" in response["Location"]
