"""Listing parameters: a repeatable filter's values are safe-listed, unknown ones ignored, never an error."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from alliance.models import Community
from portal import params
from tests import factories as f

ALLOWED = ["delivery", "points"]


def given(*pairs):
    return RequestFactory().get("/merchants/", list(pairs))


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ((), ([], False)),
        ((("has", "points"), ("has", "delivery")), (["delivery", "points"], False)),  # in the allowed order
        ((("has", "points"), ("has", "points")), (["points"], False)),
        ((("has", ""),), ([], False)),
        ((("has", "wifi"),), ([], True)),
        ((("has", "points"), ("has", "Points")), (["points"], True)),
        ((("has", "points\x00"),), ([], True)),
        ((("other", "x"),), ([], False)),
    ],
)
def test_choices_keeps_the_known_values_and_says_when_others_were_given(pairs, expected):
    assert params.choices(given(*pairs), "has", ALLOWED) == expected


def test_choices_reads_a_bounded_number_of_values():
    request = given(*[("has", "x")] * 1500, ("has", "points"))  # Django itself refuses over 2000
    assert params.choices(request, "has", ALLOWED) == ([], True)


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["", "1", "2", "3", " 2", "4", "0", "-1", "abc", "1.5", "²", "9" * 40])
def test_one_query_pagination_answers_as_paginate_does(number, django_assert_max_num_queries):
    """paginate_in_one_query gives paginate()'s page, total and 404s, in one query at most."""
    for _ in range(7):
        f.community()
    communities = Community.objects.order_by("pk")
    request = RequestFactory().get("/", {"page": number})

    def outcome(paginate):
        try:
            page = paginate()
        except Http404:
            return "404"
        return page.number, page.paginator.count, page.paginator.num_pages, [c.pk for c in page]

    expected = outcome(lambda: params.paginate(request, communities, 3))
    with django_assert_max_num_queries(1):
        assert outcome(lambda: params.paginate_in_one_query(request, communities, 3)) == expected


@pytest.mark.django_db
def test_one_query_pagination_of_nothing_is_an_empty_first_page():
    page = params.paginate_in_one_query(RequestFactory().get("/"), Community.objects.order_by("pk"), 3)
    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])
    with pytest.raises(Http404, match="没有这一页"):
        params.paginate_in_one_query(RequestFactory().get("/", {"page": "2"}), Community.objects.order_by("pk"), 3)
