"""Property-based tests of the Open311 API: whatever a client sends in the query string, the path or
a POST body (any text, the hostile corpus, real values), the answer is 200, 400, 403, 404, 405, 429
or 503 with a well-formed body in the format asked for, never a 5xx, and every error answer is the
Open311 error array."""

import json
import urllib.parse

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from casework.models import Open311Client

from .checks import PROPERTY_SETTINGS
from .hostile import HOSTILE

pytestmark = pytest.mark.django_db

ANY = st.one_of(st.text(max_size=300), st.sampled_from(HOSTILE))
DATES = st.one_of(
    st.sampled_from(
        ["2026-11-01T00:00:00+08:00", "2026-11-01T00:00:00Z", "2026-11-01", "0001-01-01", "9999-12-31T23:59:59-23:59"]
    ),
    st.datetimes().map(lambda d: d.isoformat()),
    ANY,
)
FORMATS = st.sampled_from(["json", "xml"])
ANSWERS = {200, 400, 403, 404, 405, 429, 503}


def optional(**params):
    return st.fixed_dictionaries({}, optional=params)


def well_formed(response, fmt):
    assert response.status_code in ANSWERS, (response.status_code, response.content[:300])
    if fmt == "json":
        data = json.loads(response.content.decode("utf-8"))
        if response.status_code >= 400:
            assert isinstance(data, list) and data and all(set(e) == {"code", "description"} for e in data)
            assert all(e["code"] == response.status_code for e in data)
    else:
        root = ElementTree.fromstring(response.content)
        if response.status_code >= 400:
            assert root.tag == "errors" and root.findtext("error/code") == str(response.status_code)


def run(strategy, prop, examples=200):
    counter = []

    @PROPERTY_SETTINGS
    @given(strategy)
    def wrapped(value):
        counter.append(1)
        prop(value)

    wrapped()
    assert len(counter) >= examples


def test_requests_list_parameters(client, world):
    strategy = st.tuples(
        FORMATS,
        optional(
            service_request_id=st.one_of(st.sampled_from(["SJ-20261122-0001", "SJ-1,SJ-2", ",,,"]), ANY),
            service_code=st.one_of(st.sampled_from(["noise", "noise,drains", "nope", ""]), ANY),
            start_date=DATES,
            end_date=DATES,
            status=st.one_of(st.sampled_from(["open", "closed", "open,closed", "pending"]), ANY),
            format=st.one_of(FORMATS, ANY),
            jurisdiction_id=ANY,
        ),
    )

    def prop(value):
        fmt, query = value
        well_formed(client.get(f"/open311/v2/requests.{fmt}", query), fmt)

    run(strategy, prop)


def test_paths(client, world):
    segment = st.one_of(ANY, st.sampled_from(["noise", "SJ-20261122-0001", "..", "%00", "a.json"]))

    def prop(value):
        fmt, kind, name = value
        well_formed(client.get(f"/open311/v2/{kind}/{urllib.parse.quote(name, safe='')}.{fmt}"), fmt)

    run(st.tuples(FORMATS, st.sampled_from(["services", "requests"]), segment), prop)


def test_posted_requests(client, world):
    api_client = Open311Client(name="测试客户端")
    key = api_client.new_key()
    api_client.save()
    field = st.one_of(ANY, st.just(""))
    strategy = st.tuples(
        FORMATS,
        optional(
            api_key=st.one_of(st.just(key), ANY),
            service_code=st.one_of(st.sampled_from(["noise", "drains", "nope"]), ANY),
            address_string=field,
            address_id=st.one_of(st.integers(-5, 10**20).map(str), ANY),
            description=field,
            first_name=field,
            last_name=field,
            phone=st.one_of(st.sampled_from(["13812345678", "+86 138-1234-5678", "1"]), ANY),
            email=field,
            lat=ANY,
            long=ANY,
            media_url=ANY,
            idempotency_key=field,
            **{
                "attribute[place]": st.one_of(st.sampled_from(["unsure-1", "unsure-", "0", "1"]), ANY),
                "attribute[since]": field,
                "attribute[frequency]": st.one_of(st.sampled_from(["daily", "weekly", ""]), ANY),
                "attribute[consent]": st.one_of(st.just("yes"), ANY),
            },
        ),
    )

    def prop(value):
        fmt, data = value
        cache.clear()  # the per-key limit would turn later examples into 429s
        well_formed(client.post(f"/open311/v2/requests.{fmt}", data), fmt)

    run(strategy, prop)
