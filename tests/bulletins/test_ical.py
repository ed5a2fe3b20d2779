"""The iCalendar files: /notices/calendar.ics and /notices/<slug>/event.ics.

Every file is checked twice: structurally against RFC 5545 (CRLF, folding, required
properties, the VTIMEZONE) and by parsing it back with icalendar. The key test expands the
emitted DTSTART and RRULE with dateutil, as a phone would, and compares the dates with what
the website lists from bulletins/scheduling.py.
"""

import datetime
import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from alliance.models import Merchant
from bulletins import scheduling
from bulletins.models import NoticePage
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
at = f.shanghai

pytestmark = pytest.mark.django_db

CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=(\"[^\"]*\"|[^\";:,]*)(,(\"[^\"]*\"|[^\";:,]*))*)*:.*$")


def unfold(raw):
    """Content lines of an .ics body after checking CRLF line ends and 75-octet folding."""
    assert raw.endswith(b"\r\n"), "the file must end with CRLF"
    physical = raw[:-2].split(b"\r\n")
    lines = []
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, f"bare line break in {line!r}"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        line.decode("utf-8")  # folding must not split a multi-byte character
        if line[:1] in (b" ", b"\t"):
            assert lines, "a file cannot start with a continuation line"
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return [line.decode("utf-8") for line in lines]


def check_structure(raw):
    """RFC 5545 structure: nesting, content-line syntax, the required properties."""
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    stack, counts = [], []
    for line in lines:
        assert CONTENT_LINE.match(line), f"not a content line: {line!r}"
        name = re.split("[;:]", line, maxsplit=1)[0].upper()
        if name == "BEGIN":
            stack.append(line.split(":", 1)[1])
            counts.append({})
        elif name == "END":
            component = stack.pop()
            assert line.split(":", 1)[1] == component, f"END:{component} expected, got {line}"
            props = counts.pop()
            if component == "VCALENDAR":
                assert props.get("PRODID") == 1 and props.get("VERSION") == 1
            if component == "VEVENT":
                for required in ("UID", "DTSTAMP", "DTSTART"):
                    assert props.get(required) == 1, f"VEVENT needs exactly one {required}"
                for once in ("DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL", "LAST-MODIFIED", "RRULE"):
                    assert props.get(once, 0) <= 1, f"{once} may appear at most once"
            if component == "VALARM":
                for required in ("ACTION", "TRIGGER", "DESCRIPTION"):
                    assert props.get(required) == 1, f"a DISPLAY VALARM needs exactly one {required}"
            if component == "VTIMEZONE":
                assert props.get("TZID") == 1
            if component in ("STANDARD", "DAYLIGHT"):
                for required in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                    assert props.get(required) == 1
        else:
            counts[-1][name] = counts[-1].get(name, 0) + 1
    assert not stack
    return lines


def parse(response):
    """Check the response and the file, and return the parsed calendar and its content lines."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(
        r"attachment; filename=\"[\w.-]+\.ics\"(; filename\*=UTF-8''[\w%.~-]+\.ics)?", response["Content-Disposition"]
    )
    lines = check_structure(response.content)
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert calendar["X-WR-CALNAME"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert calendar.get_missing_tzids() == set()  # every TZID used is defined
    uids = [str(e["UID"]) for e in calendar.events]
    assert len(uids) == len(set(uids))
    for event in calendar.events:
        assert event.decoded("dtstamp").tzinfo is not None and event["DTSTAMP"].to_ical().endswith(b"Z")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
        assert event.decoded("dtend") > event.decoded("dtstart")
        check_alarm(event)
    return calendar, lines


def check_alarm(event):
    """The reminder the notice page promises: one DISPLAY alarm, an hour before each occurrence."""
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].to_ical() == b"-PT1H"
    assert alarm.decoded("trigger") == -datetime.timedelta(hours=1)
    assert alarm["TRIGGER"].params.get("RELATED", "START") == "START"  # before the start, every repeat
    assert str(alarm["DESCRIPTION"]).startswith(str(event["SUMMARY"]))
    assert "1 小时后开始" in str(alarm["DESCRIPTION"])
    return alarm


def download_names(response):
    """(ASCII fallback, the name a phone shows) from Content-Disposition (RFC 6266 and 5987)."""
    found = re.fullmatch(r"attachment; filename=\"(.+)\"; filename\*=UTF-8''(.+)", response["Content-Disposition"])
    assert found, response["Content-Disposition"]
    return found[1], unquote(found[2])


def event_ics(client, notice):
    calendar, lines = parse(client.get(notice.url + "event.ics"))
    assert len(calendar.events) == 1
    return calendar.events[0], lines


# --- The feed and the per-notice file ---------------------------------------------


def test_a_notice_file_carries_what_a_phone_shows(client, home):
    c = f.community(name="东门社区", slug="dongmen")
    member = f.merchant(name="老王面馆", community_=c)
    f.merchant(name="张记超市", community_=c, status=Merchant.Status.SUSPENDED)
    notice = f.notice(
        title="每月18日便民集市",
        slug="market-18",
        start=at(2026, 11, 18, 9),
        repeat="monthly_day",
        repeat_day=18,
        place="幸福里社区广场",
        community=c,
        intro="会员商户在广场摆摊，价格不高于店内；老人购买重物免费送货上门。",
        merchants=list(Merchant.objects.all()),
    )
    response = client.get("/notices/market-18/event.ics")
    # Named after the title and the next market (a repeating notice; see the test below).
    next_market = notice.upcoming[0].start
    assert download_names(response) == (
        f"market-18-{next_market:%Y%m%d}.ics",
        f"每月18日便民集市 {next_market.year}年{next_market.month}月{next_market.day}日.ics",
    )
    event, lines = event_ics(client, notice)
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "每月18日便民集市"
    assert str(calendar["PRODID"]) == "-//Shangju//Notices//ZH"
    assert str(event["UID"]) == f"notice-{notice.pk}@testserver"
    assert "DTSTART;TZID=Asia/Shanghai:20261118T090000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20261118T120000" in lines
    assert "RRULE:FREQ=MONTHLY;BYMONTHDAY=18" in lines
    assert str(event["SUMMARY"]) == "每月18日便民集市"
    assert str(event["LOCATION"]) == "幸福里社区广场（东门社区）"
    assert str(event["URL"]) == "http://testserver/notices/market-18/"
    assert event.categories == ["便民集市"]
    description = str(event["DESCRIPTION"])
    assert description.splitlines() == [
        "会员商户在广场摆摊，价格不高于店内；老人购买重物免费送货上门。",
        "时间：每月 18 日",
        f"参加商户：{member.name}",
        "详情：http://testserver/notices/market-18/",
    ]
    notice.refresh_from_db()
    assert event.decoded("last-modified") == notice.last_published_at.replace(microsecond=0)
    assert event["LAST-MODIFIED"].to_ical().endswith(b"Z")


def test_the_feed_has_every_live_notice_with_the_same_uids(client, home):
    notices = [
        f.notice(title="每月18日便民集市", start=at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18),
        f.notice(
            title="月月谈", start=at(2026, 12, 5, 15), repeat="monthly_weekday", repeat_ordinal=1, repeat_weekday=5
        ),
        f.notice(title="去年的议事会", start=at(2025, 3, 2, 15), kind="meeting"),
    ]
    f.draft_notice(title="草稿")
    response = client.get("/notices/calendar.ics")
    assert download_names(response) == ("shangju-notices.ics", "商居联盟通知公告.ics")
    calendar, _ = parse(response)
    assert str(calendar["X-WR-CALNAME"]) == "商居联盟通知公告"
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT6H"
    assert sorted(str(e["SUMMARY"]) for e in calendar.events) == ["去年的议事会", "月月谈", "每月18日便民集市"]
    by_uid = {str(e["UID"]): e for e in calendar.events}
    for notice in notices:
        single, _ = event_ics(client, notice)
        assert str(single["UID"]) in by_uid
        assert by_uid[str(single["UID"])].decoded("dtstart") == single.decoded("dtstart")
    # The UID is stable from one fetch to the next, so a refresh updates instead of duplicating.
    again, _ = parse(client.get("/notices/calendar.ics"))
    assert {str(e["UID"]) for e in again.events} == set(by_uid)


def test_every_event_in_every_file_reminds_an_hour_before(client, home):
    c = f.community(name="东门社区", slug="dongmen")
    market = f.notice(
        title="每月18日便民集市", start=at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18, place="幸福里广场"
    )
    meeting = f.notice(title="商居议事会", start=at(2026, 12, 2, 15), place="社区活动室", community=c, kind="meeting")

    single, _ = event_ics(client, market)
    alarm = check_alarm(single)
    assert str(alarm["DESCRIPTION"]) == "每月18日便民集市 1 小时后开始，地点：幸福里广场"
    feed, lines = parse(client.get("/notices/calendar.ics"))
    assert len(feed.events) == 2 and lines.count("BEGIN:VALARM") == 2
    by_title = {str(e["SUMMARY"]): check_alarm(e) for e in feed.events}
    assert str(by_title["商居议事会"]["DESCRIPTION"]) == "商居议事会 1 小时后开始，地点：社区活动室（东门社区）"

    # What the page promises is what the file does.
    page = client.get(meeting.url).content.decode()
    assert "开始前 1 小时提醒" in page
    assert "开始前 1 小时提醒" in client.get("/notices/").content.decode()


def test_a_download_is_named_after_its_notice_and_date(client, home):
    once = f.notice(title="商居议事会：油烟/噪音怎么办？", slug="议事会", start=at(2026, 12, 2, 15))
    assert download_names(client.get(once.url + "event.ics")) == (
        f"notice-{once.pk}-20261202.ics",
        "商居议事会：油烟 噪音怎么办？ 2026年12月2日.ics",
    )
    # A repeating notice is named after its next date, not a first market long past.
    weekly = f.notice(title="周日清扫", slug="sunday-clean", start=at(2019, 3, 3, 8), repeat="weekly", repeat_weekday=6)
    fallback, name = download_names(client.get(weekly.url + "event.ics"))
    upcoming = weekly.upcoming[0].start
    assert fallback == f"sunday-clean-{upcoming:%Y%m%d}.ics"
    assert name == f"周日清扫 {upcoming.year}年{upcoming.month}月{upcoming.day}日.ics"


def test_an_empty_feed_is_still_a_valid_calendar(client, home):
    f.notice_index()
    calendar, lines = parse(client.get("/notices/calendar.ics"))
    assert calendar.events == []
    assert "BEGIN:VTIMEZONE" in lines


def test_the_timezone_is_beijing_time_at_plus_eight(client, home):
    notice = f.notice(start=at(2027, 3, 28, 8), repeat="weekly", repeat_weekday=6)
    calendar, _ = parse(client.get(notice.url + "event.ics"))
    (vtimezone,) = calendar.walk("VTIMEZONE")
    observances = vtimezone.walk("STANDARD") + vtimezone.walk("DAYLIGHT")
    assert observances
    assert {o["TZOFFSETTO"].to_ical() for o in observances} == {"+0800"}
    event = calendar.events[0]
    start = event.decoded("dtstart")
    assert (start.hour, start.utcoffset()) == (8, datetime.timedelta(hours=8))
    assert start.astimezone(datetime.UTC) == datetime.datetime(2027, 3, 28, 0, 0, tzinfo=datetime.UTC)


def test_long_chinese_text_is_folded_at_75_octets(client, home):
    title = "商居联盟" * 30
    notice = f.notice(title=title, intro="便民集市，" * 60)
    event, lines = event_ics(client, notice)  # unfold() checked every physical line
    assert str(event["SUMMARY"]) == title
    assert (client.get(notice.url + "event.ics").content.count(b"\r\n ")) > 10


def test_a_one_off_notice_has_no_rrule_and_may_span_midnight(client, home):
    notice = f.notice(title="跨年志愿守夜", start=at(2026, 12, 31, 22), duration_hours=4, kind="volunteer")
    event, lines = event_ics(client, notice)
    assert "RRULE" not in event
    assert "DTSTART;TZID=Asia/Shanghai:20261231T220000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20270101T020000" in lines
    assert event.categories == ["志愿服务"]


def test_drafts_and_private_notices_are_left_out(client, home):
    f.notice(title="公开集市")
    f.draft_notice(title="草稿集市")
    f.notice(title="撤下的集市").unpublish()
    f.restrict(f.notice(title="内部会议"))
    calendar, _ = parse(client.get("/notices/calendar.ics"))
    assert [str(e["SUMMARY"]) for e in calendar.events] == ["公开集市"]


@pytest.mark.urls("portal.urls")
def test_the_site_serves_the_ics_urls(client, home):
    notice = f.notice(slug="market")
    assert client.get("/notices/").status_code == 200
    for url in ["/notices/calendar.ics", "/notices/market/event.ics"]:
        assert client.get(url).status_code == 200, (
            f"{url}: portal/urls.py needs the .ics route from the top of tests/bulletins/test_ical.py"
        )
    assert notice.url == "/notices/market/"


# --- RRULE: the phone's expansion equals the website's ------------------------------


RULES = {
    "monthly on the 18th": dict(start=at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18),
    "monthly on the 31st": dict(
        start=at(2027, 1, 31, 8), repeat="monthly_day", repeat_day=31, repeat_until=datetime.date(2028, 3, 31)
    ),
    "monthly on the 30th": dict(start=at(2027, 1, 30, 8), repeat="monthly_day", repeat_day=30),
    "monthly on the 29th": dict(start=at(2027, 1, 29, 8), repeat="monthly_day", repeat_day=29),
    "first Saturday": dict(start=at(2026, 12, 5, 15), repeat="monthly_weekday", repeat_ordinal=1, repeat_weekday=5),
    "second Tuesday": dict(start=at(2026, 12, 8, 19), repeat="monthly_weekday", repeat_ordinal=2, repeat_weekday=1),
    "last Sunday until": dict(
        start=at(2026, 11, 29, 14),
        repeat="monthly_weekday",
        repeat_ordinal=-1,
        repeat_weekday=6,
        repeat_until=datetime.date(2027, 5, 30),
    ),
    "weekly until an occurrence day": dict(
        start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2, repeat_until=datetime.date(2027, 1, 27)
    ),
    "weekly past midnight until": dict(
        start=at(2026, 11, 28, 22),
        duration_hours=4,
        repeat="weekly",
        repeat_weekday=5,
        repeat_until=datetime.date(2026, 12, 26),
    ),
    "weekly at half past midnight": dict(start=at(2026, 11, 26, 0, 30), repeat="weekly", repeat_weekday=3),
    "start off the rule": dict(start=at(2026, 11, 20, 8), repeat="monthly_day", repeat_day=18),
    "weekly started long ago": dict(start=at(2019, 3, 3, 8), repeat="weekly", repeat_weekday=6),
}


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_the_rrule_expands_to_the_dates_the_website_lists(client, home, rule):
    notice = f.notice(**rule)
    event, lines = event_ics(client, notice)
    assert event["RRULE"]

    # As a phone reads it: the DTSTART and RRULE lines as text, TZID resolved from the tz database.
    text = "\n".join(line for line in lines if line.startswith(("DTSTART", "RRULE")))
    phone = rrulestr(text, tzids={"Asia/Shanghai": SHANGHAI})
    # And through icalendar's parsed values, to be sure both readings agree.
    parsed = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("dtstart"))
    length = event.decoded("dtend") - event.decoded("dtstart")

    notice = NoticePage.objects.get(pk=notice.pk)  # as stored: UTC from the database
    window_start = scheduling.local(notice.start) - datetime.timedelta(days=1)
    window_end = window_start + datetime.timedelta(days=2 * 366)
    website = scheduling.occurrences_between(notice, window_start, window_end)
    assert website, "the rule should produce dates in the window"
    assert phone.between(window_start, window_end) == [o.start for o in website]
    assert parsed.between(window_start, window_end) == [o.start for o in website]
    assert {o.end - o.start for o in website} == {length}
    # DTSTART is itself an occurrence (RFC 5545 always counts it), i.e. synchronised with the rule.
    assert event.decoded("dtstart") == website[0].start == phone[0]


def test_rrule_text_for_each_kind_of_rule(client, home):
    cases = [
        (dict(start=at(2027, 1, 31, 8), repeat="monthly_day", repeat_day=31), "RRULE:FREQ=MONTHLY;BYMONTHDAY=31"),
        (
            dict(start=at(2026, 12, 5, 15), repeat="monthly_weekday", repeat_ordinal=1, repeat_weekday=5),
            "RRULE:FREQ=MONTHLY;BYDAY=1SA",
        ),
        (
            dict(start=at(2026, 11, 29, 14), repeat="monthly_weekday", repeat_ordinal=-1, repeat_weekday=6),
            "RRULE:FREQ=MONTHLY;BYDAY=-1SU",
        ),
        (dict(start=at(2026, 11, 23, 19), repeat="weekly", repeat_weekday=0), "RRULE:FREQ=WEEKLY;BYDAY=MO"),
        (
            # UNTIL in UTC (RFC 5545 3.3.10, DTSTART has a TZID): the end of 27 January in Beijing.
            dict(
                start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2, repeat_until=datetime.date(2027, 1, 27)
            ),
            "RRULE:FREQ=WEEKLY;UNTIL=20270127T155959Z;BYDAY=WE",
        ),
    ]
    for rule, expected in cases:
        _, lines = event_ics(client, f.notice(**rule))
        assert expected in lines, (expected, [line for line in lines if line.startswith("RRULE")])


def test_an_occurrence_on_the_until_date_is_on_the_phone(client, home):
    notice = f.notice(
        start=at(2026, 11, 28, 21), repeat="weekly", repeat_weekday=5, repeat_until=datetime.date(2026, 12, 19)
    )
    event, _ = event_ics(client, notice)
    phone = list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("dtstart")))
    assert phone[-1] == at(2026, 12, 19, 21)
    assert len(phone) == 4


def test_the_31st_is_skipped_in_short_months_on_the_phone(client, home):
    notice = f.notice(
        start=at(2027, 1, 31, 8), repeat="monthly_day", repeat_day=31, repeat_until=datetime.date(2027, 12, 31)
    )
    event, _ = event_ics(client, notice)
    phone = list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("dtstart")))
    assert [d.month for d in phone] == [1, 3, 5, 7, 8, 10, 12]


def test_a_start_off_the_rule_is_moved_to_the_first_real_date(client, home):
    # Phones count DTSTART as an occurrence even when it does not fit the rule, so the file
    # must not say 20 November when the website's first market is 18 December.
    notice = f.notice(start=at(2026, 11, 20, 8), duration_hours=3, repeat="monthly_day", repeat_day=18)
    event, lines = event_ics(client, notice)
    assert "DTSTART;TZID=Asia/Shanghai:20261218T080000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20261218T110000" in lines
