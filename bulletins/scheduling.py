"""Expand notices' repeat rules into dated occurrences.

Rules are evaluated by dateutil's rrule, the RFC 5545 semantics a phone applies to the RRULE
that bulletins/ical.py writes from the same fields, so the website and the calendar agree.
Choices made on purpose (tests/bulletins/test_notices.py pins each one):

- A monthly rule on the 29th to 31st skips months without that day, as RFC 5545 does; it
  does not move to the month's last day, which no phone calendar would follow.
- An occurrence on the until date is included: UNTIL is the end of that day, Beijing time.
- A start that does not fit the rule is not an occurrence: the series begins on the first
  date on or after it that fits. The .ics uses that date as DTSTART, because phones always
  count DTSTART as an occurrence.
- Everything is expanded in Asia/Shanghai wall-clock time, so an 08:00 market stays 08:00.
- Repeating series are listed one year ahead and one year back; a one-off notice is listed
  whenever it is, so the archive keeps every meeting ever held.

The listings read these occurrences from a table (bulletins.NoticeOccurrence) written when a
notice changes and topped up nightly; `stored_occurrences` below is what fills it, so the
website, the table and the .ics all come from this module.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPCOMING_WINDOW = datetime.timedelta(days=366)
ARCHIVE_WINDOW = datetime.timedelta(days=366)
# The stored occurrences of a repeating series reach this much further than UPCOMING_WINDOW, so
# the listings stay exactly right for a month in which the nightly top-up did not run.
STORED_MARGIN = datetime.timedelta(days=31)
# dateutil counts Monday as 0, like Weekday and Python's date.weekday().
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class Repeat(models.TextChoices):
    """How a notice repeats (NoticePage.repeat)."""

    NONE = "", _("不重复")
    MONTHLY_DAY = "monthly_day", _("每月某日")
    MONTHLY_WEEKDAY = "monthly_weekday", _("每月第几个星期几")
    WEEKLY = "weekly", _("每周某天")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class Ordinal(models.IntegerChoices):
    FIRST = 1, _("第一个")
    SECOND = 2, _("第二个")
    THIRD = 3, _("第三个")
    FOURTH = 4, _("第四个")
    LAST = -1, _("最后一个")


@dataclass(frozen=True)
class Occurrence:
    """One dated instance of a notice, in Beijing time."""

    notice: object
    start: datetime.datetime
    end: datetime.datetime

    @property
    def is_repeat(self):
        return bool(self.notice.repeat)

    @property
    def ends_another_day(self):
        """True for an evening activity that runs past midnight, so its end date must be shown."""
        return (self.end - datetime.timedelta(microseconds=1)).date() != self.start.date()

    @property
    def is_over(self):
        return self.end <= timezone.now()


def local(value):
    """A datetime in Beijing time; a naive one (unsaved admin input) is taken as Beijing time."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def duration(notice):
    return notice.end - notice.start


def series_until(notice):
    """The end of the until date in Beijing time, or None when the rule runs on."""
    if not notice.repeat_until:
        return None
    return datetime.datetime.combine(notice.repeat_until, datetime.time(23, 59, 59), tzinfo=SHANGHAI)


def rule_for(notice):
    """The dateutil rrule of a notice, or None when it happens once (or its rule is incomplete)."""
    if not notice.repeat or notice.start is None:
        return None
    options = {"dtstart": local(notice.start), "until": series_until(notice), "cache": False}
    if notice.repeat == Repeat.MONTHLY_DAY and notice.repeat_day:
        return rrule.rrule(rrule.MONTHLY, bymonthday=notice.repeat_day, **options)
    if notice.repeat == Repeat.MONTHLY_WEEKDAY and notice.repeat_weekday is not None and notice.repeat_ordinal:
        return rrule.rrule(rrule.MONTHLY, byweekday=WEEKDAYS[notice.repeat_weekday](notice.repeat_ordinal), **options)
    if notice.repeat == Repeat.WEEKLY and notice.repeat_weekday is not None:
        return rrule.rrule(rrule.WEEKLY, byweekday=WEEKDAYS[notice.repeat_weekday], **options)
    return None


def _occurrence(notice, start):
    return Occurrence(notice, start, start + duration(notice))


def first_occurrence(notice):
    """The first time a notice happens, or None when its rule never fires (e.g. until too early)."""
    rule = rule_for(notice)
    if rule is None:
        return None if notice.repeat else _occurrence(notice, local(notice.start))
    start = rule.after(local(notice.start), inc=True)
    return _occurrence(notice, start) if start else None


def occurrences_between(notice, after, before):
    """Occurrences of one notice still running after `after` that start before `before`."""
    rule = rule_for(notice)
    if rule is None:
        if notice.repeat:
            return []
        occurrence = _occurrence(notice, local(notice.start))
        return [occurrence] if occurrence.start < before and occurrence.end > after else []
    starts = rule.between(local(after) - duration(notice), local(before), inc=True)
    return [_occurrence(notice, s) for s in starts if s + duration(notice) > after and s < before]


def next_occurrences(notice, count=6, now=None):
    """The next `count` occurrences of one notice, including one under way now."""
    now = now or timezone.now()
    rule = rule_for(notice)
    if rule is None:
        once = first_occurrence(notice)
        return [once] if once and once.end > now else []
    # Starts strictly after now - duration are exactly the occurrences that end after now.
    return [_occurrence(notice, s) for s in rule.xafter(local(now) - duration(notice), count=count)]


def _by_date(occurrences, reverse=False):
    return sorted(occurrences, key=lambda o: (o.start, o.notice.pk or 0), reverse=reverse)


def upcoming_occurrences(notices, now=None, window=UPCOMING_WINDOW):
    """Every occurrence not yet over, soonest first; repeating series up to `window` ahead."""
    now = now or timezone.now()
    found = []
    for notice in notices:
        if notice.repeat:
            found.extend(occurrences_between(notice, now, now + window))
        elif notice.end > now:
            found.append(_occurrence(notice, local(notice.start)))
    return _by_date(found)


def past_occurrences(notices, now=None, window=ARCHIVE_WINDOW):
    """Occurrences already over, most recent first; repeating series back to `window` ago."""
    now = now or timezone.now()
    found = []
    for notice in notices:
        if notice.repeat:
            found.extend(o for o in occurrences_between(notice, now - window, now) if o.end <= now)
        elif notice.end <= now:
            found.append(_occurrence(notice, local(notice.start)))
    return _by_date(found, reverse=True)


def stored_occurrences(notice, now=None):
    """What the occurrence table keeps for one notice: a one-off notice's single occurrence
    whenever it is, and a series from ARCHIVE_WINDOW ago to UPCOMING_WINDOW + STORED_MARGIN
    ahead. The listings cut these to the exact windows of upcoming_ and past_occurrences."""
    now = now or timezone.now()
    if not notice.repeat:
        once = first_occurrence(notice)
        return [once] if once else []
    return occurrences_between(notice, now - ARCHIVE_WINDOW, now + UPCOMING_WINDOW + STORED_MARGIN)


def describe_repeat(notice):
    """The repeat rule in words, e.g. 每月 18 日 or 每月第一个星期六; '' for a one-off notice.

    Reads only the rule's fields, so the migration that fills the occurrence table can use it."""
    if notice.repeat == Repeat.MONTHLY_DAY:
        text = _("每月 %(day)s 日") % {"day": notice.repeat_day}
    elif notice.repeat == Repeat.MONTHLY_WEEKDAY:
        text = _("每月%(ordinal)s%(weekday)s") % {
            "ordinal": _label(Ordinal, notice.repeat_ordinal),
            "weekday": _label(Weekday, notice.repeat_weekday),
        }
    elif notice.repeat == Repeat.WEEKLY:
        text = _("每周%(weekday)s") % {"weekday": _label(Weekday, notice.repeat_weekday)}
    else:
        return ""
    if notice.repeat_until:
        text += _("，至 %(date)s") % {"date": formats.date_format(notice.repeat_until, "SHORT_DATE_FORMAT")}
    return text


def _label(choices, value):
    """The label of a choice, or the value itself (as get_FOO_display does) when it is not one."""
    try:
        return choices(value).label
    except ValueError:
        return value
