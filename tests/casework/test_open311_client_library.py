"""The API through a real server and an existing GeoReport v2 client: `georeport` from PyPI
(requests + xmltodict), in both of its formats. It reads only (it has no POST), so the request
is posted with `requests`, as any form-encoded client would."""

import pytest
import requests
from georeport import GeoReport

from casework.models import GrievanceReport, Open311Client
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def server(live_server):
    community = f.community(name="东门社区")
    grid = f.grid(community, name="第一网格")
    street = f.grid_area(grid, name="解放路东段", kind="street")
    api_client = Open311Client(name="区 12345 热线")
    key = api_client.new_key()
    api_client.save()
    return {"root": f"{live_server.url}/open311/v2", "street": street, "key": key, "url": live_server.url}


def test_a_georeport_client_reads_services_and_the_request_it_posted(server):
    json_client, xml_client = GeoReport(server["root"]), GeoReport(server["root"], output_format="xml")

    services = json_client.get_service_list()
    assert {"service_code": "noise", "service_name": "噪音扰民"}.items() <= services[0].items()
    assert [s["service_code"] for s in xml_client.get_service_list()] == [s["service_code"] for s in services]
    definition = json_client.get_service_definition("noise")
    assert [a["code"] for a in definition["attributes"]] == ["place", "since", "frequency", "consent"]
    xml_definition = xml_client.get_service_definition("noise")
    assert [a["code"] for a in xml_definition["attributes"]["attribute"]] == ["place", "since", "frequency", "consent"]
    place = definition["attributes"][0]["values"][0]
    assert place == {"key": str(server["street"].pk), "name": "东门社区 · 解放路东段"}

    posted = requests.post(
        f"{server['root']}/requests.json",
        data={
            "api_key": server["key"],
            "service_code": "noise",
            "attribute[place]": place["key"],
            "address_string": "解放路 18 号烧烤店门口",
            "description": "楼下烧烤店每晚十一点后还在放音乐",
            "first_name": "秀兰",
            "last_name": "王",
            "phone": "13812345678",
            "attribute[consent]": "yes",
        },
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    (answer,) = posted.json()
    reference = answer["service_request_id"]
    assert GrievanceReport.objects.get(reference=reference).channel == "api"

    one = json_client.get_service_request(reference)
    assert one["status"] == "open" and one["agency_responsible"] == "第一网格"
    assert one["address"] == "东门社区 · 解放路东段" and one["expected_datetime"].endswith("+08:00")
    xml_one = xml_client.get_service_request(reference)
    assert xml_one["service_request_id"] == reference and xml_one["status"] == "open"
    listed = json_client.get_service_requests(service_code="noise", status="open")
    assert [r["service_request_id"] for r in listed] == [reference]
    assert json_client.get_service_requests(status="closed") == []
    for text in (posted.text, str(one), str(xml_one), str(listed)):
        assert "王秀兰" not in text and "13812345678" not in text and "18 号" not in text


def test_errors_reach_the_client_as_http_errors_with_the_error_array(server):
    client = GeoReport(server["root"])
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("nope")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_requests(status="pending")
    assert raised.value.response.status_code == 400
    refused = requests.post(f"{server['root']}/requests.xml", data={"service_code": "noise"}, timeout=30)
    assert refused.status_code == 403 and b"<errors><error><code>403</code>" in refused.content
    discovery = requests.get(f"{server['url']}/open311/discovery.json", timeout=30).json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
