"""Working days and hours on the mainland calendar, for case deadlines.

The State Council announces each December the next year's public holidays and make-up
work days; chinese-calendar ships those it knows. Staff-entered days (CalendarDay) take
precedence; for a year neither knows we count weekends only, and the admin warns staff
(see `year_is_loaded`).
"""

import datetime
from zoneinfo import ZoneInfo

import chinese_calendar

from .models import CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_OPENS = datetime.time(9, 0)
OFFICE_CLOSES = datetime.time(18, 0)


def _overrides(start, end):
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def library_knows(year):
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def year_is_loaded(year):
    """True when the library or staff entries cover the holidays of `year`."""
    return library_knows(year) or CalendarDay.objects.filter(date__year=year, is_workday=False).exists()


class WorkCalendar:
    """Answers 'is this a working day' for a span of dates with one query for staff overrides."""

    def __init__(self, start, end):
        self.overrides = _overrides(start, end)

    def is_workday(self, day):
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5


def _local(moment):
    return moment.astimezone(SHANGHAI)


def add_working_days(moment, days):
    """End of office hours on the `days`-th working day after the day of `moment`."""
    start = _local(moment).date()
    calendar = WorkCalendar(start, start + datetime.timedelta(days=days * 3 + 40))
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return datetime.datetime.combine(day, OFFICE_CLOSES, tzinfo=SHANGHAI)


def add_working_hours(moment, hours):
    """The moment `hours` office hours after `moment`, skipping nights, weekends and holidays."""
    local = _local(moment)
    calendar = WorkCalendar(local.date(), local.date() + datetime.timedelta(days=hours // 9 * 3 + 40))
    remaining = datetime.timedelta(hours=hours)
    day = local.date()
    cursor = local
    while True:
        opens = datetime.datetime.combine(day, OFFICE_OPENS, tzinfo=SHANGHAI)
        closes = datetime.datetime.combine(day, OFFICE_CLOSES, tzinfo=SHANGHAI)
        if calendar.is_workday(day) and cursor < closes:
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += datetime.timedelta(days=1)
        cursor = datetime.datetime.combine(day, OFFICE_OPENS, tzinfo=SHANGHAI)
