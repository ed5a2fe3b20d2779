"""Open311 POST requests: API keys issued and revoked by staff, the wizard's checks and routing,
idempotency, the rate limit (closed when it cannot count), and the errors of the spec."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from casework.models import GrievanceReport, Open311Client
from portal.ratelimit import CountersUnavailable
from tests import factories as f
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db
URL = "/open311/v2/requests.json"


@pytest.fixture
def api(world):
    street = f.grid_area(world["grid_b"], name="解放路东段", kind="street")
    client_ = Open311Client(name="区 12345 热线")
    key = client_.new_key()
    client_.save()
    return {**world, "street": street, "api_client": client_, "key": key}


def request_data(api, **changes):
    data = {
        "api_key": api["key"],
        "service_code": "noise",
        "attribute[place]": str(api["street"].pk),
        "address_string": "解放路 18 号烧烤店门口",
        "description": "楼下烧烤店每晚十一点后还在放音乐",
        "attribute[since]": "上个月开始",
        "attribute[frequency]": "daily",
        "first_name": "秀兰",
        "last_name": "王",
        "phone": "138 1234 5678",
        "attribute[consent]": "yes",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def post(client, data, url=URL, headers=None):
    return client.post(url, data, headers=headers or {})


def test_a_posted_request_is_a_case_like_the_wizards_with_channel_api(client, api):
    response = post(client, request_data(api))
    assert response.status_code == 200, response.content
    (answer,) = response.json()
    report = GrievanceReport.objects.get()
    assert answer["service_request_id"] == report.reference and report.reference.startswith("SJ-")
    assert "前受理" in answer["service_notice"] and answer["account_id"] == ""
    assert report.channel == "api" and report.get_channel_display() == "接口(API)"
    assert report.grid == api["grid_b"] and report.area == api["street"] and not report.place_unsure
    assert (report.reporter_name, report.reporter_mobile) == ("王秀兰", "13812345678")
    assert report.consented_at is not None and not report.anonymous
    assert (report.since, report.frequency) == ("上个月开始", "daily")
    assert report.accept_due > report.created_at and report.resolve_due > report.accept_due
    api["api_client"].refresh_from_db()
    assert api["api_client"].last_used_at is not None
    # It is readable back at once, without the reporter.
    (shown,) = client.get(f"/open311/v2/requests/{report.reference}.json").json()
    assert shown["status"] == "open" and "王" not in str(shown)


def test_xml_answer(client, api):
    response = post(client, request_data(api), url="/open311/v2/requests.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert b"<service_requests><request><service_request_id>SJ-" in response.content


def test_unsure_place_goes_to_the_communitys_first_grid_and_anonymous_needs_no_consent(client, api):
    data = request_data(
        api, **{"attribute[place]": f"unsure-{api['x'].pk}"}, first_name=None, last_name=None, phone=None
    )
    data.pop("attribute[consent]")
    assert post(client, data).status_code == 200
    report = GrievanceReport.objects.get()
    assert report.place_unsure and report.area is None and report.grid == api["x"].first_grid()
    assert report.anonymous and report.reporter_name == "" and report.consented_at is None


def test_address_id_names_the_area_too(client, api):
    data = request_data(api, address_id=str(api["street"].pk))
    data.pop("attribute[place]")
    assert post(client, data).status_code == 200
    assert GrievanceReport.objects.get().area == api["street"]


@pytest.mark.parametrize(
    "key, words",
    [(None, "缺少 api_key"), ("", "缺少 api_key"), ("sj311_guess", "无效"), ("x" * 5000, "无效")],
)
def test_missing_or_bad_key_is_403(client, api, key, words):
    response = post(client, request_data(api, api_key=key))
    assert response.status_code == 403
    (error,) = response.json()
    assert error["code"] == 403 and words in error["description"]
    assert not GrievanceReport.objects.exists()


def test_a_revoked_key_is_refused_for_good(client, api):
    api_client = api["api_client"]
    api_client.active = False
    api_client.save()
    assert api_client.revoked_at is not None
    response = post(client, request_data(api))
    assert response.status_code == 403 and "已吊销" in response.json()[0]["description"]
    api_client.active = True
    with pytest.raises(Exception, match="不能恢复"):
        api_client.full_clean()


def test_the_key_may_come_in_a_header(client, api):
    data = request_data(api)
    data.pop("api_key")
    assert post(client, data, headers={"X-Api-Key": api["key"]}).status_code == 200


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"description": "吵"}, "description：请多写几个字"),
        ({"description": None}, "description：请描述发生了什么"),
        ({"address_string": None}, "address_string：请填写具体地点"),
        ({"address_string": "路" * 201}, "address_string：地点请控制在 200 字以内"),
        ({"attribute[frequency]": "hourly"}, "attribute[frequency]：请从列表中选择"),
        ({"attribute[since]": "很" * 61}, "attribute[since]：请控制在 60 字以内"),
        ({"phone": "12345"}, "phone："),
        ({"phone": None}, "phone：请填写手机号码"),
        ({"email": "not-an-address"}, "email：请输入有效的电子邮箱地址"),
        ({"attribute[consent]": None}, "attribute[consent]"),
        ({"attribute[place]": "999999"}, "没有这个街巷或楼栋"),
        ({"attribute[place]": "unsure-999999"}, "没有这个街巷或楼栋"),
        ({"attribute[place]": "<script>"}, "没有这个街巷或楼栋"),
        ({"attribute[place]": None}, "请选择街巷或楼栋"),
        ({"service_code": None}, "service_code"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter_in_chinese(client, api, changes, words):
    response = post(client, request_data(api, **changes))
    assert response.status_code == 400, response.content
    descriptions = [error["description"] for error in response.json()]
    assert all(error["code"] == 400 for error in response.json())
    assert any(words in description for description in descriptions), descriptions
    assert not GrievanceReport.objects.exists()


def test_unknown_service_is_404(client, api):
    response = post(client, request_data(api, service_code="nope"))
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_a_community_without_grids_is_told_as_the_wizard_tells_it(client, api):
    empty = f.community(name="南门社区")
    response = post(client, request_data(api, **{"attribute[place]": f"unsure-{empty.pk}"}))
    assert response.status_code == 400 and "南门社区还没有划分网格" in response.json()[0]["description"]


def test_every_problem_is_listed_at_once(client, api):
    response = post(client, request_data(api, description="吵", address_string=None, phone="1"))
    assert response.status_code == 400
    described = " ".join(e["description"] for e in response.json())
    assert "description：" in described and "address_string：" in described and "phone：" in described


def test_the_same_token_makes_one_case(client, api):
    first = post(client, request_data(api), headers={"Idempotency-Key": "partner-42"})
    again = post(
        client, request_data(api, description="换了一种说法，但还是同一件事"), headers={"Idempotency-Key": "partner-42"}
    )
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    other = post(client, request_data(api, idempotency_key="partner-43"))
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert GrievanceReport.objects.count() == 2


def test_the_same_content_within_minutes_makes_one_case_and_later_a_new_one(client, api, settings, monkeypatch):
    first = post(client, request_data(api)).json()[0]["service_request_id"]
    assert post(client, request_data(api)).json()[0]["service_request_id"] == first
    assert GrievanceReport.objects.count() == 1
    different = post(client, request_data(api, description="另一件事：门口下水道堵了")).json()[0]
    assert different["service_request_id"] != first
    # Past the window, the same words are a new case (the problem came back).
    later = timezone.now() + datetime.timedelta(seconds=2 * settings.OPEN311_REPEAT_WINDOW + 1)
    monkeypatch.setattr("casework.open311.timezone.now", lambda: later)
    monkeypatch.setattr("casework.submission.timezone.now", lambda: later)
    assert post(client, request_data(api)).json()[0]["service_request_id"] not in (
        first,
        different["service_request_id"],
    )
    assert GrievanceReport.objects.count() == 3


def test_another_clients_same_content_is_its_own_case(client, api):
    other = Open311Client(name="网格通 App")
    other_key = other.new_key()
    other.save()
    post(client, request_data(api))
    post(client, request_data(api, api_key=other_key))
    assert GrievanceReport.objects.count() == 2


def test_rate_limit_per_key(client, api, settings):
    settings.OPEN311_POST_LIMIT = 2
    for n in range(2):
        assert post(client, request_data(api, description=f"第 {n} 件：楼下很吵很吵")).status_code == 200
    refused = post(client, request_data(api, description="第 3 件：楼下很吵很吵"))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json()[0]["code"] == 429
    assert GrievanceReport.objects.count() == 2


def test_no_counting_no_posting(client, api, monkeypatch):
    def down(*args, **kwargs):
        raise CountersUnavailable("open311")

    monkeypatch.setattr("casework.open311.count_hit", down)
    response = post(client, request_data(api))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()[0]["description"] == "系统繁忙，请稍后再试。"
    assert not GrievanceReport.objects.exists()


def test_nul_bytes_and_unreadable_bodies_are_400_not_500(client, api):
    response = post(client, request_data(api, description="楼下\x00很吵很吵", address_string="路\x00口"))
    assert response.status_code == 200  # NUL bytes become spaces; PostgreSQL never sees one
    assert "\x00" not in GrievanceReport.objects.get().description
    broken = client.post(URL, b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert broken.status_code in (400, 403) and broken.json()[0]["code"] in (400, 403)


# --- Keys in the admin ----------------------------------------------------------------------


def test_staff_issue_a_key_shown_once_and_the_issue_is_logged(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    add = reverse("wagtailsnippets_casework_open311client:add")
    response = client.post(add, {"name": "区 12345 热线", "active": "on"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "密钥只显示这一次" in text and "no-store" in response["Cache-Control"]
    issued = Open311Client.objects.get()
    key = text.split("data-open311-key>", 1)[1].split("<", 1)[0]
    assert key.startswith("sj311_") and Open311Client.objects.holding(key) == issued
    assert issued.created_by == admin and key not in issued.key_hash
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(issued.pk)).exists()
    listing = client.get(reverse("wagtailsnippets_casework_open311client:list")).content.decode()
    assert issued.key_prefix in listing and key not in listing
    edit = reverse("wagtailsnippets_casework_open311client:edit", args=[issued.pk])
    assert key not in client.get(edit).content.decode()
    client.post(edit, {"name": "区 12345 热线"})  # active unticked: revoked
    issued.refresh_from_db()
    assert not issued.active and issued.revoked_at and Open311Client.objects.holding(key) is None
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(issued.pk)).exists()


def test_staff_without_the_permission_cannot_see_or_issue_keys(client, world):
    for user in (world["mod_x"], world["worker_a"]):
        client.force_login(user)
        for url in (
            reverse("wagtailsnippets_casework_open311client:list"),
            reverse("wagtailsnippets_casework_open311client:add"),
        ):
            response = client.get(url)
            assert response.status_code in (302, 403) and "/admin/login" not in response.get("Location", "")
        assert client.post(reverse("wagtailsnippets_casework_open311client:add"), {"name": "x"}).status_code in (
            302,
            403,
        )
    assert not Open311Client.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_repeats_make_one_case(api):
    answers = []
    run_in_threads(8, lambda i: answers.append(Client().post(URL, request_data(api)).json()[0]["service_request_id"]))
    assert len(set(answers)) == 1 and GrievanceReport.objects.count() == 1
