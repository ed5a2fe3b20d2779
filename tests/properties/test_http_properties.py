"""Property-based tests of every public filter and query parameter, through the test client.

Whatever a visitor puts in the query string (any text, the hostile corpus, real values), the
page answers 200, 404 for a filter value that names nothing, a redirect where the view says so,
never a 5xx; a query the page shows back is HTML-escaped.
"""

import urllib.parse

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from alliance.views import MAX_QUERY_LENGTH
from home.search import MAX_QUERY_LENGTH as SEARCH_QUERY_LENGTH
from portal.params import clean_text
from tests import factories as f

from .checks import PROPERTY_SETTINGS, shown_escaped
from .hostile import HOSTILE

pytestmark = pytest.mark.django_db

ANY = st.one_of(st.text(), st.sampled_from(HOSTILE))
PAGES = st.one_of(st.integers(-3, 5).map(str), st.sampled_from(["１", "1.0", "1e3", "9" * 5000, ""]), ANY)


def optional(**params):
    """A query dict holding any subset of params, each value from its strategy."""
    return st.fixed_dictionaries({}, optional=params)


def get(client, path, query):
    response = client.get(path, query)
    assert response.status_code < 500, (path, query)
    return response


def check_listing(client, path, query, allowed=(200, 404)):
    response = get(client, path, query)
    assert response.status_code in allowed, (path, query, response.status_code)
    if response.status_code == 404:
        # The site's own 404 page, in Chinese, not a bare server message.
        assert "页" in response.content.decode() or "没有" in response.content.decode()
    return response


def run(prop):
    counter = []

    @PROPERTY_SETTINGS
    @given(prop.strategy)
    def wrapped(query):
        counter.append(1)
        prop(query)

    wrapped()
    assert len(counter) >= 200


def test_merchant_directory_filters(client, world):
    community = world["community"]
    strategy = optional(
        category=st.one_of(st.sampled_from(["restaurant", "supermarket", ""]), ANY),
        community=st.one_of(st.sampled_from([community.slug, "nowhere", ""]), ANY),
        q=st.one_of(st.sampled_from(["老王", "面馆", "%", "_"]), ANY),
        page=PAGES,
    )

    def prop(query):
        response = check_listing(client, "/merchants/", query)
        if response.status_code == 200 and query.get("q"):
            shown = clean_text(query["q"], MAX_QUERY_LENGTH)
            assert shown_escaped(response.content.decode(), shown), query

    prop.strategy = strategy
    run(prop)


def test_search_query_and_page(client, world):
    strategy = optional(q=st.one_of(st.sampled_from(["集市", "老王面馆", "便民 集市"]), ANY), page=PAGES)

    def prop(query):
        response = check_listing(client, "/search/", query)
        shown = clean_text(query.get("q", ""), SEARCH_QUERY_LENGTH)
        if response.status_code == 200 and shown:
            assert shown_escaped(response.content.decode(), shown), query

    prop.strategy = strategy
    run(prop)


def test_news_filters(client, world):
    strategy = optional(
        community=st.one_of(st.sampled_from([world["community"].slug, "ximen", ""]), ANY),
        tag=st.one_of(st.sampled_from(["集市", "nothing"]), ANY),
        page=PAGES,
    )

    def prop(query):
        check_listing(client, "/news/", query)

    prop.strategy = strategy
    run(prop)


def test_notice_filters(client, world):
    strategy = optional(
        kind=st.one_of(st.sampled_from(["market_day", "meeting", "volunteer", "notice", ""]), ANY),
        archive=st.one_of(st.sampled_from(["1", "0"]), ANY),
        page=PAGES,
    )

    def prop(query):
        check_listing(client, "/notices/", query)

    prop.strategy = strategy
    run(prop)


def test_honour_roll_pages(client, world):
    def prop(query):
        check_listing(client, "/honour-rolls/", query)

    prop.strategy = optional(page=PAGES)
    run(prop)


def test_track_lookup_form(client, world):
    case = f.case(world["grid"], reference="SJ-20261122-0042", reporter_mobile="13812345678")
    strategy = st.fixed_dictionaries(
        {
            "reference": st.one_of(
                st.sampled_from([case.reference, "sj-20261122-0042", "ＳＪ－２０２６１１２２－００４２"]), ANY
            ),
            "mobile_last4": st.one_of(st.sampled_from(["5678", "５６７８", "0000"]), ANY),
        }
    )

    def prop(data):
        cache.clear()  # the lookup limit (10 per client) would turn later examples into 429s
        response = client.post("/track/", data)
        assert response.status_code in (200, 302), (data, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == f"/track/{case.reference}/"
            return
        text = response.content.decode()
        assert "工单编号或手机号码后四位不正确" in text or "error-summary" in text or 'class="error"' in text, data
        assert shown_escaped(text, data["reference"]), data

    prop.strategy = strategy
    run(prop)


def test_track_status_path(client, world):
    """/track/<reference>/ takes the reference from the path: anything there is a redirect or a 404."""

    def prop(query):
        reference = query.get("reference", "")
        response = client.get("/track/" + urllib.parse.quote(reference, safe="") + "/")
        assert response.status_code in (301, 302, 404), (reference, response.status_code)

    prop.strategy = optional(reference=st.one_of(st.sampled_from(["SJ-20261122-0042"]), ANY))
    run(prop)
