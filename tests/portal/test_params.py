"""Listing parameters: a repeatable filter's values are safe-listed, unknown ones ignored, never an error."""

import pytest
from django.test import RequestFactory

from portal import params

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
