"""Expand notices' repeat rules into dated occurrences.

Rules are evaluated by dateutil's rrule, the same RFC 5545 semantics a phone applies to
the RRULE in our .ics files, so the website and the calendar never disagree. In
particular a monthly rule on the 29th-31st skips months without that day.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPCOMING_HORIZON = datetime.timedelta(days=400)
MAX_PER_NOTICE = 24


@dataclass(frozen=True)
class Occurrence:
    notice: object
    start: datetime.datetime
    end: datetime.datetime

    @property
    def is_repeat(self):
        return bool(self.notice.repeat)


def rule_for(notice):
    """The dateutil rrule of a notice, or None when it happens once."""
    from .models import NoticePage

    if not notice.repeat:
        return None
    dtstart = notice.start.astimezone(SHANGHAI)
    until = None
    if notice.repeat_until:
        until = datetime.datetime.combine(notice.repeat_until, datetime.time(23, 59, 59), tzinfo=SHANGHAI)
    if notice.repeat == NoticePage.Repeat.MONTHLY_DAY:
        return rrule.rrule(rrule.MONTHLY, dtstart=dtstart, bymonthday=notice.repeat_day, until=until)
    if notice.repeat == NoticePage.Repeat.MONTHLY_WEEKDAY:
        weekday = rrule.weekdays[notice.repeat_weekday](notice.repeat_ordinal)
        return rrule.rrule(rrule.MONTHLY, dtstart=dtstart, byweekday=weekday, until=until)
    if notice.repeat == NoticePage.Repeat.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=dtstart, byweekday=notice.repeat_weekday, until=until)
    return None


def _occurrence(notice, start):
    return Occurrence(notice, start, start + (notice.end - notice.start))


def occurrences_between(notice, after, before):
    """Occurrences of one notice that are still running after `after` and start before `before`."""
    duration = notice.end - notice.start
    rule = rule_for(notice)
    if rule is None:
        start = notice.start.astimezone(SHANGHAI)
        return [_occurrence(notice, start)] if start < before and start + duration > after else []
    starts = rule.between(after - duration, before, inc=True)
    return [_occurrence(notice, s) for s in starts if s + duration > after][:MAX_PER_NOTICE]


def next_occurrences(notice, count=6, now=None):
    now = now or timezone.now()
    return occurrences_between(notice, now, now + UPCOMING_HORIZON)[:count]


def upcoming_occurrences(notices, now=None):
    """Every occurrence not yet over, soonest first."""
    now = now or timezone.now()
    found = []
    for notice in notices:
        found.extend(occurrences_between(notice, now, now + UPCOMING_HORIZON))
    return sorted(found, key=lambda o: (o.start, o.notice.pk))


def past_occurrences(notices, now=None):
    """Occurrences already over, most recent first (the archive)."""
    now = now or timezone.now()
    found = []
    for notice in notices:
        earliest = notice.start.astimezone(SHANGHAI)
        past = [o for o in occurrences_between(notice, earliest, now) if o.end <= now]
        found.extend(past[-MAX_PER_NOTICE:])
    return sorted(found, key=lambda o: (o.start, o.notice.pk), reverse=True)
