"""iCalendar (RFC 5545) files for notices: a feed of all notices and one file per notice.

Each notice is one VEVENT. A repeating notice carries an RRULE written from the same fields
bulletins/scheduling.py expands, and its DTSTART is the series' first real occurrence, so a
phone shows exactly the dates the website shows. Times are Beijing time with a VTIMEZONE.
"""

import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vRecur

from alliance.models import Merchant
from portal.addresses import site_url

from .scheduling import SHANGHAI, Repeat, first_occurrence, rule_for, series_until

PRODID = "-//Shangju//Notices//ZH"
TZID = "Asia/Shanghai"
ICAL_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How often a subscribed phone should fetch the feed again (RFC 7986 and the older X- form).
REFRESH = datetime.timedelta(hours=6)
REFRESH_TEXT = "PT6H"


@lru_cache(maxsize=8)
def _vtimezone_ical(first_year):
    # Computing transitions takes ~30 ms; the result depends only on the first year.
    return Timezone.from_tzinfo(
        SHANGHAI, tzid=TZID, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(2100, 1, 1)
    ).to_ical()


def vtimezone(first_year):
    """Asia/Shanghai as a VTIMEZONE, valid from 1 January of `first_year` on."""
    return Timezone.from_ical(_vtimezone_ical(first_year))


def recurrence(notice):
    """The RRULE of a notice, matching scheduling.rule_for; None for a one-off notice."""
    if rule_for(notice) is None:
        return None
    day = ICAL_WEEKDAYS[notice.repeat_weekday] if notice.repeat_weekday is not None else None
    if notice.repeat == Repeat.MONTHLY_DAY:
        rule = {"FREQ": "MONTHLY", "BYMONTHDAY": notice.repeat_day}
    elif notice.repeat == Repeat.MONTHLY_WEEKDAY:
        rule = {"FREQ": "MONTHLY", "BYDAY": f"{notice.repeat_ordinal}{day}"}
    else:
        rule = {"FREQ": "WEEKLY", "BYDAY": day}
    if until := series_until(notice):
        # RFC 5545 3.3.10: with a DTSTART in a TZID, UNTIL must be given in UTC.
        rule["UNTIL"] = until.astimezone(datetime.UTC)
    return vRecur(rule)


def _members(notice):
    # Uses the prefetched merchants when the caller prefetched them, so a feed stays one query.
    members = [m for m in notice.merchants.all() if m.membership_status == Merchant.Status.MEMBER]
    return sorted(members, key=lambda m: m.name)


def description(notice, url):
    """Plain text for DESCRIPTION: summary, the rule in words, merchants, a link back."""
    lines = []
    if notice.intro:
        lines.append(notice.intro)
    if notice.repeat:
        lines.append(_("时间：%(rule)s") % {"rule": notice.repeat_description})
    if members := _members(notice):
        lines.append(_("参加商户：%(names)s") % {"names": "、".join(m.name for m in members)})
    if url:
        lines.append(_("详情：%(url)s") % {"url": url})
    return "\n".join(lines)


def location(notice):
    if notice.community_id and notice.community:
        return f"{notice.place}（{notice.community.name}）"
    return notice.place


def event_for(notice, stamp, request=None):
    """The VEVENT of one notice, or None when its rule never fires."""
    first = first_occurrence(notice)
    if first is None:
        return None
    # Links as the resident reached us; the UID from the site's configured hostname, which
    # stays the same whichever address the feed was fetched from.
    canonical = notice.get_full_url(request)
    url = notice.get_url(request)
    url = request.build_absolute_uri(url) if url and request else canonical
    host = urlsplit(canonical or site_url()).hostname or "localhost"
    event = Event()
    # Stable across edits and feeds, so a re-import or refresh updates rather than duplicates.
    event.add("uid", f"notice-{notice.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", first.start)
    event.add("dtend", first.end)
    if rule := recurrence(notice):
        event.add("rrule", rule)
    event.add("summary", notice.title)
    event.add("location", location(notice))
    event.add("description", description(notice, url))
    if url:
        event.add("url", url)
    event.add("categories", [str(notice.get_kind_display())])
    event.add("status", "CONFIRMED")
    if notice.first_published_at:
        event.add("created", notice.first_published_at.astimezone(datetime.UTC).replace(microsecond=0))
    if modified := notice.last_published_at or notice.latest_revision_created_at:
        event.add("last-modified", modified.astimezone(datetime.UTC).replace(microsecond=0))
    return event


def build_calendar(notices, name, request=None):
    """A VCALENDAR of the notices that ever happen, with the VTIMEZONE their times refer to."""
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    events = [e for e in (event_for(n, stamp, request) for n in notices) if e is not None]
    first_year = min([e.decoded("dtstart").year for e in events] or [timezone.localdate().year])

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_TEXT)
    # Always present, even with no events, so X-WR-TIMEZONE refers to a defined zone.
    calendar.add_component(vtimezone(first_year))
    for event in events:
        calendar.add_component(event)
    return calendar


def calendar_response(notices, filename, name=None, request=None):
    """An .ics download (text/calendar) of the given notices."""
    name = name or _("%(site)s通知公告") % {"site": settings.WAGTAIL_SITE_NAME}
    calendar = build_calendar(notices, name, request=request)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
