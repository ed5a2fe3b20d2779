import datetime

import pytest

from casework.models import CalendarDay
from casework.workdays import SHANGHAI, add_working_days, add_working_hours, library_knows, year_is_loaded

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


def test_working_days_skip_weekend():
    # Friday 2026-11-20 + 1 working day = Monday 23rd, end of office hours.
    assert add_working_days(at(2026, 11, 20), 1) == at(2026, 11, 23, 18)


def test_working_days_skip_national_day_holiday():
    # 2026-09-30 (Wed) + 1 working day: 1-7 October are holidays.
    due = add_working_days(at(2026, 9, 30), 1)
    assert due.date() > datetime.date(2026, 10, 7)


def test_staff_holiday_overrides_library_and_weekend_rule():
    CalendarDay.objects.create(date=datetime.date(2027, 1, 4), is_workday=False, note="测试假日")
    # Friday 2027-01-01 is beyond the library; weekends plus the staff holiday are skipped.
    assert add_working_days(at(2027, 1, 1), 1) == at(2027, 1, 5, 18)


def test_make_up_work_day_counts():
    CalendarDay.objects.create(date=datetime.date(2027, 1, 2), is_workday=True, note="调休上班")
    assert add_working_days(at(2027, 1, 1), 1) == at(2027, 1, 2, 18)


def test_working_hours_roll_over_night_and_weekend():
    # Friday 16:00 + 4 working hours = Monday 11:00 (2 hours Friday, 2 Monday).
    assert add_working_hours(at(2026, 11, 20, 16), 4) == at(2026, 11, 23, 11)


def test_working_hours_before_opening_start_at_nine():
    assert add_working_hours(at(2026, 11, 23, 6), 2) == at(2026, 11, 23, 11)


def test_unannounced_year_is_reported_until_staff_enter_holidays():
    assert library_knows(2026)
    assert not library_knows(2099)
    assert not year_is_loaded(2099)
    CalendarDay.objects.create(date=datetime.date(2099, 1, 1), is_workday=False, note="元旦")
    assert year_is_loaded(2099)
