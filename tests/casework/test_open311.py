"""Open311 GeoReport v2, the reading half: discovery, services, definitions, requests, errors; JSON
and XML; what a case shows the world (street level, no reporter) and the query budget."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from django.utils import timezone

from casework.models import CaseCategory, CaseEvent, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture
def cases(world):
    street = f.grid_area(world["grid_a"], name="解放路东段", kind="street", chief="李大爷")
    building = f.grid_area(world["grid_b"], name="幸福里 3 号楼")
    now = timezone.now()
    noisy = f.case(
        world["grid_a"],
        reference="SJ-20261122-0001",
        area=street,
        address="解放路 18 号烧烤店门口",
        reporter_name="王秀兰",
        reporter_mobile="13812345678",
        reporter_email="wang@example.org",
        created_at=now - datetime.timedelta(days=2),
        resolve_due=now + datetime.timedelta(days=5),
    )
    CaseEvent.objects.create(report=noisy, action="accept", to_state="accepted", public=True, note="已受理，将上门核实")
    CaseEvent.objects.create(report=noisy, action="dispatch", to_state="dispatched", public=False, note="内部：找老张")
    fixed = f.case(
        world["grid_b"],
        reference="SJ-20261122-0002",
        category_slug="drains",
        area=building,
        state="resolved",
        address="幸福里 3 号楼 2 单元 101",
        created_at=now - datetime.timedelta(days=1),
    )
    CaseEvent.objects.create(
        report=fixed, action="resolve", to_state="resolved", public=True, note="已疏通，联系电话 138 1234 5678"
    )
    old = f.case(world["grid_y"], reference="SJ-20260101-0001", created_at=now - datetime.timedelta(days=120))
    return {**world, "noisy": noisy, "fixed": fixed, "old": old, "street": street}


def get_json(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def get_xml(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)


# --- Discovery and services ---------------------------------------------------------------


def test_discovery_in_both_formats_points_at_v2(client, home):
    data = get_json(client, "/open311/discovery.json")
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert OFFSET.match(data["changeset"])
    root = get_xml(client, "/open311/discovery.xml")
    assert root.tag == "discovery"
    assert [e.text for e in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/url") == endpoint["url"]


def test_services_are_the_active_categories_with_chinese_names(client, world):
    CaseCategory.objects.filter(slug="other").update(active=False)
    data = get_json(client, "/open311/v2/services.json")
    assert isinstance(data, list)
    by_code = {s["service_code"]: s for s in data}
    assert "other" not in by_code and by_code["noise"]["service_name"] == "噪音扰民"
    assert by_code["noise"] == {
        "service_code": "noise",
        "service_name": "噪音扰民",
        "description": CaseCategory.objects.get(slug="noise").explanation,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "民情诉求",
    }
    assert "119" in by_code["safety"]["description"]  # the wizard's emergency reminder
    root = get_xml(client, "/open311/v2/services.xml")
    assert root.tag == "services" and len(root.findall("service")) == len(data)
    first = root.find("service")
    assert first.findtext("metadata") == "true" and first.findtext("service_name") == data[0]["service_name"]


def test_format_parameter_and_default_xml(client, world):
    assert client.get("/open311/v2/services", {"format": "json"})["Content-Type"].startswith("application/json")
    assert client.get("/open311/v2/services")["Content-Type"].startswith("text/xml")
    bad = get_xml(client, "/open311/v2/services", expect=400, format="html")
    assert bad.tag == "errors" and bad.findtext("error/code") == "400"
    assert "json" in bad.findtext("error/description")


def test_service_definition_asks_what_the_wizard_asks(client, cases):
    data = get_json(client, "/open311/v2/services/noise.json")
    assert data["service_code"] == "noise"
    place, since, frequency, consent = data["attributes"]
    assert (place["code"], place["datatype"], place["required"], place["order"]) == (
        "place",
        "singlevaluelist",
        True,
        1,
    )
    names = {v["key"]: v["name"] for v in place["values"]}
    assert names[str(cases["street"].pk)] == "东门社区 · 解放路东段"
    assert names[f"unsure-{cases['x'].pk}"] == "东门社区 · 不清楚 / 列表里没有"
    assert "李大爷" not in json.dumps(data, ensure_ascii=False)  # the street chief is not part of it
    assert (since["code"], since["datatype"], since["required"]) == ("since", "string", False)
    assert {v["key"]: v["name"] for v in frequency["values"]}["daily"] == "几乎每天"
    assert consent["code"] == "consent" and consent["values"] == [{"key": "yes", "name": "反映人已同意"}]
    root = get_xml(client, "/open311/v2/services/noise.xml")
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == [
        "place",
        "since",
        "frequency",
        "consent",
    ]
    assert root.find("attributes/attribute/values/value/key") is not None


def test_unknown_service_is_404_with_the_error_array(client, world):
    data = get_json(client, "/open311/v2/services/nope.json", expect=404)
    assert data == [{"code": 404, "description": "没有这个服务类别（service_code）：nope。"}]
    CaseCategory.objects.filter(slug="noise").update(active=False)
    root = get_xml(client, "/open311/v2/services/noise.xml", expect=404)
    assert root.findtext("error/code") == "404"


# --- Requests -----------------------------------------------------------------------------


def test_requests_list_shows_cases_of_the_last_90_days_newest_first(client, cases):
    data = get_json(client, "/open311/v2/requests.json")
    assert [r["service_request_id"] for r in data] == ["SJ-20261122-0002", "SJ-20261122-0001"]
    fixed, noisy = data
    assert fixed["status"] == "closed" and noisy["status"] == "open"
    assert noisy["service_code"] == "noise" and noisy["service_name"] == "噪音扰民"
    assert noisy["agency_responsible"] == "第一网格"
    assert noisy["address"] == "东门社区 · 解放路东段"  # the street chosen
    assert fixed["address"] == "东门社区 · 第二网格"  # a building: only its grid
    assert noisy["status_notes"] == "已受理，将上门核实"  # the public event, not the internal one
    assert fixed["status_notes"] == "已疏通，联系电话 ****"
    expected = timezone.localtime(cases["noisy"].resolve_due, SHANGHAI).isoformat(timespec="seconds")
    assert noisy["expected_datetime"] == expected
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OFFSET.match(noisy[field]), noisy[field]
    assert noisy["updated_datetime"] >= noisy["requested_datetime"]
    assert noisy["lat"] == noisy["long"] == noisy["media_url"] == ""


def test_no_reporter_data_or_exact_address_in_any_output(client, cases):
    outputs = [
        client.get(url).content.decode()
        for url in (
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            "/open311/v2/requests/SJ-20261122-0001.json",
            "/open311/v2/requests/SJ-20261122-0002.xml",
        )
    ]
    for text in outputs:
        for secret in (
            "王秀兰",
            "13812345678",
            "138 1234 5678",
            "wang@example.org",
            "18 号",
            "2 单元",
            "内部",
            "楼下烧烤店",
        ):
            assert secret not in text, secret


def test_one_request_by_id_in_both_formats(client, cases):
    (data,) = get_json(client, "/open311/v2/requests/SJ-20261122-0001.json")
    assert data["service_request_id"] == "SJ-20261122-0001" and data["status"] == "open"
    root = get_xml(client, "/open311/v2/requests/SJ-20261122-0001.xml")
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == "SJ-20261122-0001"
    assert root.findtext("request/expected_datetime") == data["expected_datetime"]
    # Older than 90 days is still found by its id.
    assert get_json(client, "/open311/v2/requests/SJ-20260101-0001.json")[0]["status"] == "open"


def test_unknown_request_is_404(client, cases):
    data = get_json(client, "/open311/v2/requests/SJ-20991231-9999.json", expect=404)
    assert data[0]["code"] == 404 and "SJ-20991231-9999" in data[0]["description"]
    assert get_xml(client, "/open311/v2/requests/%00.xml", expect=404).findtext("error/code") == "404"
    assert get_json(client, "/open311/v2/nothing-here.json", expect=404)[0]["code"] == 404


def ids(client, **params):
    return [r["service_request_id"] for r in get_json(client, "/open311/v2/requests.json", **params)]


def test_filters(client, cases):
    assert ids(client, status="open") == ["SJ-20261122-0001"]
    assert ids(client, status="closed") == ["SJ-20261122-0002"]
    assert ids(client, status="open,closed") == ["SJ-20261122-0002", "SJ-20261122-0001"]
    assert ids(client, service_code="drains") == ["SJ-20261122-0002"]
    assert ids(client, service_code="noise,drains") == ["SJ-20261122-0002", "SJ-20261122-0001"]
    # A list of ids overrides every other parameter, the 90 days included.
    assert ids(client, service_request_id="SJ-20260101-0001,SJ-20261122-0002", status="open") == [
        "SJ-20261122-0002",
        "SJ-20260101-0001",
    ]
    now = timezone.localtime(timezone.now(), SHANGHAI)
    start = (now - datetime.timedelta(days=130)).isoformat(timespec="seconds")
    end = (now - datetime.timedelta(days=100)).isoformat(timespec="seconds")
    assert ids(client, start_date=start, end_date=end) == ["SJ-20260101-0001"]
    utc = (now - datetime.timedelta(days=1, hours=12)).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client, start_date=utc) == ["SJ-20261122-0002"]
    assert ids(client, end_date=utc) == ["SJ-20261122-0001"]


@pytest.mark.parametrize(
    "params, words",
    [
        ({"status": "pending"}, "status"),
        ({"service_code": "nope"}, "nope"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
        ({"start_date": "2026-06-01", "end_date": "2026-01-01"}, "start_date"),
        ({"service_request_id": ",".join(["x"] * 1001)}, "1000"),
        ({"start_date": "9999-12-31T23:59:59-23:59"}, "start_date"),
    ],
)
def test_bad_parameters_are_400_with_a_chinese_description(client, cases, params, words):
    (error,) = get_json(client, "/open311/v2/requests.json", expect=400, **params)
    assert error["code"] == 400 and words in error["description"]
    root = get_xml(client, "/open311/v2/requests.xml", expect=400, **params)
    assert root.findtext("error/code") == "400"


def test_other_methods_are_refused_with_the_error_array(client, world):
    response = client.put("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405
    assert client.head("/open311/v2/services.json").status_code == 200
    assert client.get("/open311/v2/services.json")["Access-Control-Allow-Origin"] == "*"


def test_xml_holds_hostile_text_escaped_and_control_characters_visible(client, cases):
    CaseEvent.objects.create(
        report=cases["noisy"], action="supervise", to_state="accepted", public=True, note="<b>&\x0b</b>]]>"
    )
    root = get_xml(client, "/open311/v2/requests/SJ-20261122-0001.xml")
    assert root.findtext("request/status_notes") == "<b>&\u240b</b>]]>"
    (data,) = get_json(client, "/open311/v2/requests/SJ-20261122-0001.json")
    assert data["status_notes"] == "<b>&\x0b</b>]]>"


def test_requests_list_queries_do_not_grow_with_the_cases(client, world, django_assert_max_num_queries):
    def count():
        client.get("/open311/v2/requests.json")
        # One query: the cases with their category, place and latest public event (subqueries).
        with django_assert_max_num_queries(1) as captured:
            assert client.get("/open311/v2/requests.json").status_code == 200
        return len(captured)

    area = f.grid_area(world["grid_a"], kind="street")
    for _n in range(3):
        case = f.case(world["grid_a"], area=area)
        CaseEvent.objects.create(report=case, action="accept", to_state="accepted", public=True, note="已受理")
    small = count()
    for _n in range(30):
        case = f.case(world["grid_b"], category_slug="drains")
        CaseEvent.objects.create(report=case, action="accept", to_state="accepted", public=True, note="已受理")
    assert count() == small
    assert len(client.get("/open311/v2/requests.json").json()) == 33


def test_the_list_stops_at_1000(client, world):
    category = CaseCategory.objects.get(slug="noise")
    now = timezone.now()
    GrievanceReport.objects.bulk_create(
        GrievanceReport(
            reference=f"SJ-20261122-{n:04d}",
            secret_hash=f"{n:064d}",
            submission_key=f"bulk-{n}",
            category=category,
            community=world["x"],
            grid=world["grid_a"],
            address="x",
            description="x",
            accept_due=now,
            resolve_due=now,
            created_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(1, 1003)
    )
    data = get_json(client, "/open311/v2/requests.json")
    assert len(data) == 1000 and data[0]["service_request_id"] == "SJ-20261122-0001"
