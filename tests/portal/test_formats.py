"""The project's zh_Hans formats: forms render dates in a shape they (and the browser) accept."""

import datetime

import pytest
from django import forms
from django.utils import translation


class When(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)


def test_a_date_field_renders_iso_and_takes_back_what_it_rendered():
    with translation.override("zh-hans"):
        rendered = When(initial={"day": datetime.date(2026, 12, 1)})["day"].value()
        html = str(When(initial={"day": datetime.date(2026, 12, 1)})["day"])
        assert 'value="2026-12-01"' in html, html
        assert When({"day": "2026-12-01"}).is_valid()
        assert rendered == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("2026-12-01 09:30", datetime.datetime(2026, 12, 1, 9, 30)),
        ("2026-12-01T09:30", datetime.datetime(2026, 12, 1, 9, 30)),
        ("2026/12/01 09:30", datetime.datetime(2026, 12, 1, 9, 30)),
        ("2026年12月1日 09:30", datetime.datetime(2026, 12, 1, 9, 30)),
    ],
)
def test_date_times_as_people_and_browsers_send_them(typed, expected):
    with translation.override("zh-hans"):
        form = When({"day": "2026-12-01", "moment": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["moment"].replace(tzinfo=None) == expected
