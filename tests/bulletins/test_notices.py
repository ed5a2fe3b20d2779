"""Notices: repeat rules, the /notices/ listing and archive, notice pages, admin validation."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, streamfield

from alliance.models import Merchant
from bulletins import scheduling
from bulletins.models import NoticePage
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Sunday morning in Beijing; view tests run at this instant.
NOW = f.shanghai(2026, 11, 22, 10, 0)
at = f.shanghai


# Even an unsaved page looks up its content type (Wagtail's Page.__init__), which is cached only
# until a transactional test flushes the database: every test here may touch the database.
pytestmark = pytest.mark.django_db


def unsaved(start, hours=3, **kwargs):
    """A notice that is never saved: the scheduling rules read only its fields."""
    kwargs.setdefault("title", "便民集市")
    kwargs.setdefault("place", "社区广场")
    return NoticePage(start=start, end=start + datetime.timedelta(hours=hours), **kwargs)


def starts(occurrences):
    return [o.start for o in occurrences]


def between(notice, first, last):
    """Occurrences starting from the first to the last day (inclusive), Beijing dates."""
    return scheduling.occurrences_between(
        notice,
        datetime.datetime.combine(first, datetime.time(0), SHANGHAI),
        at(last.year, last.month, last.day, 23, 59),
    )


@pytest.fixture
def frozen(monkeypatch):
    """Freeze Django's clock (scheduling, views and publishing all read timezone.now)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))
    return NOW


# --- Repeat rules -------------------------------------------------------------------


def test_monthly_on_the_31st_skips_months_without_that_day():
    notice = unsaved(at(2027, 1, 31), repeat="monthly_day", repeat_day=31)
    found = between(notice, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert [(s.month, s.day) for s in starts(found)] == [
        (1, 31),
        (3, 31),
        (5, 31),
        (7, 31),
        (8, 31),
        (10, 31),
        (12, 31),
    ]
    # Never moved to the last day of a short month: no 28 February, no 30 April.
    assert all(s.day == 31 for s in starts(found))


def test_monthly_on_the_30th_skips_only_february():
    notice = unsaved(at(2027, 1, 30), repeat="monthly_day", repeat_day=30)
    found = between(notice, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert [s.month for s in starts(found)] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]


def test_monthly_on_the_29th_keeps_leap_february():
    notice = unsaved(at(2027, 1, 29), repeat="monthly_day", repeat_day=29)
    months = [(s.year, s.month) for s in starts(between(notice, datetime.date(2027, 1, 1), datetime.date(2028, 3, 31)))]
    assert (2027, 2) not in months
    assert (2028, 2) in months


def test_monthly_on_the_18th():
    notice = unsaved(at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18)
    found = between(notice, datetime.date(2026, 11, 1), datetime.date(2027, 4, 30))
    months = [(2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 3), (2027, 4)]
    assert starts(found) == [at(y, m, 18, 9) for y, m in months]


def test_first_saturday_of_each_month():
    notice = unsaved(at(2026, 12, 5), repeat="monthly_weekday", repeat_ordinal=1, repeat_weekday=5)
    found = starts(between(notice, datetime.date(2026, 12, 1), datetime.date(2027, 3, 31)))
    assert found == [at(2026, 12, 5), at(2027, 1, 2), at(2027, 2, 6), at(2027, 3, 6)]
    assert all(s.weekday() == 5 and s.day <= 7 for s in found)


def test_last_sunday_of_each_month():
    notice = unsaved(at(2026, 11, 29, 14), repeat="monthly_weekday", repeat_ordinal=-1, repeat_weekday=6)
    found = starts(between(notice, datetime.date(2026, 11, 1), datetime.date(2027, 3, 31)))
    assert found == [
        at(2026, 11, 29, 14),
        at(2026, 12, 27, 14),
        at(2027, 1, 31, 14),
        at(2027, 2, 28, 14),
        at(2027, 3, 28, 14),
    ]
    assert all(s.weekday() == 6 and (s + datetime.timedelta(days=7)).month != s.month for s in found)


def test_weekly_on_a_weekday():
    notice = unsaved(at(2026, 11, 25, 19), hours=1.5, repeat="weekly", repeat_weekday=2)
    found = between(notice, datetime.date(2026, 11, 1), datetime.date(2026, 12, 31))
    assert starts(found) == [at(2026, 11, 25, 19) + datetime.timedelta(weeks=n) for n in range(6)]
    assert all(o.end - o.start == datetime.timedelta(hours=1.5) for o in found)


@pytest.mark.parametrize(
    ("until", "last"),
    [
        (datetime.date(2026, 12, 19), datetime.date(2026, 12, 19)),  # a Saturday: on the until date counts
        (datetime.date(2026, 12, 18), datetime.date(2026, 12, 12)),  # the day before: it does not
        (datetime.date(2026, 12, 20), datetime.date(2026, 12, 19)),
    ],
)
def test_until_date_is_inclusive(until, last):
    notice = unsaved(at(2026, 11, 28, 21), repeat="weekly", repeat_weekday=5, repeat_until=until)
    found = between(notice, datetime.date(2026, 11, 1), datetime.date(2027, 6, 30))
    assert found[-1].start.date() == last
    assert found[-1].start.hour == 21  # a late-evening occurrence on the until date is still in


def test_a_start_off_the_rule_begins_at_the_first_matching_day():
    # Entered on Friday the 20th for "every month on the 18th": the first market is 18 December.
    notice = unsaved(at(2026, 11, 20, 8), repeat="monthly_day", repeat_day=18)
    assert scheduling.first_occurrence(notice).start == at(2026, 12, 18, 8)
    assert starts(scheduling.next_occurrences(notice, count=2, now=NOW)) == [at(2026, 12, 18, 8), at(2027, 1, 18, 8)]


def test_an_activity_spanning_midnight():
    notice = unsaved(at(2026, 12, 31, 22), hours=4, repeat="weekly", repeat_weekday=3)
    first = scheduling.first_occurrence(notice)
    assert first.end == at(2027, 1, 1, 2)
    assert first.ends_another_day
    # Still listed at 01:00 while it runs, gone once it ended at 02:00.
    assert scheduling.upcoming_occurrences([notice], now=at(2027, 1, 1, 1))[0].start == at(2026, 12, 31, 22)
    assert scheduling.upcoming_occurrences([notice], now=at(2027, 1, 1, 2))[0].start == at(2027, 1, 7, 22)
    assert scheduling.past_occurrences([notice], now=at(2027, 1, 1, 2))[0].start == at(2026, 12, 31, 22)


def test_an_evening_ending_at_midnight_does_not_show_a_second_date():
    first = scheduling.first_occurrence(unsaved(at(2026, 12, 24, 20), hours=4))
    assert first.end == at(2026, 12, 25, 0)
    assert not first.ends_another_day


def test_times_stay_eight_oclock_all_year():
    # China has no daylight saving; the weeks when Europe and America change clocks change nothing.
    notice = unsaved(at(2027, 1, 3), repeat="weekly", repeat_weekday=6)
    found = between(notice, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert len(found) == 52
    assert {(o.start.hour, o.start.minute) for o in found} == {(8, 0)}
    assert {o.start.utcoffset() for o in found} == {datetime.timedelta(hours=8)}
    assert {o.start.astimezone(datetime.UTC).hour for o in found} == {0}


def test_stored_utc_times_are_expanded_in_beijing_time():
    # The database hands back UTC; 00:30 Beijing time is still the previous day in UTC.
    notice = unsaved(at(2026, 12, 18, 0, 30).astimezone(datetime.UTC), repeat="monthly_day", repeat_day=18)
    assert starts(scheduling.next_occurrences(notice, count=2, now=NOW)) == [
        at(2026, 12, 18, 0, 30),
        at(2027, 1, 18, 0, 30),
    ]


def test_an_incomplete_rule_has_no_occurrences():
    notice = unsaved(at(2026, 12, 18), repeat="monthly_day", repeat_day=None)
    assert scheduling.rule_for(notice) is None
    assert scheduling.first_occurrence(notice) is None
    assert scheduling.upcoming_occurrences([notice], now=NOW) == []


def test_upcoming_occurrences_merge_notices_in_date_order():
    monthly = unsaved(at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18, title="集市")
    weekly = unsaved(at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2, title="议事")
    once = unsaved(at(2026, 12, 1, 14), title="志愿")
    found = scheduling.upcoming_occurrences([monthly, weekly, once], now=NOW)
    assert starts(found) == sorted(starts(found))
    assert [(o.notice.title, o.start.date()) for o in found[:5]] == [
        ("议事", datetime.date(2026, 11, 25)),
        ("志愿", datetime.date(2026, 12, 1)),
        ("议事", datetime.date(2026, 12, 2)),
        ("议事", datetime.date(2026, 12, 9)),
        ("议事", datetime.date(2026, 12, 16)),
    ]
    # Repeating series run one year ahead; nothing of them beyond.
    assert found[-1].start < NOW + scheduling.UPCOMING_WINDOW
    assert sum(1 for o in found if o.notice is monthly) == 12


def test_upcoming_keeps_running_and_far_one_offs_and_drops_finished():
    running = unsaved(at(2026, 11, 22, 9), hours=2)
    finished = unsaved(at(2026, 11, 22, 7), hours=2)
    far = unsaved(at(2028, 5, 1, 9))
    found = scheduling.upcoming_occurrences([running, finished, far], now=NOW)
    assert [o.notice for o in found] == [running, far]


def test_past_occurrences_newest_first_within_a_year():
    monthly = unsaved(at(2024, 1, 18, 9), repeat="monthly_day", repeat_day=18)
    old_meeting = unsaved(at(2023, 6, 1, 14))
    found = scheduling.past_occurrences([monthly, old_meeting], now=NOW)
    assert starts(found) == sorted(starts(found), reverse=True)
    assert found[0].start == at(2026, 11, 18, 9)
    series = [o for o in found if o.notice is monthly]
    assert len(series) == 12 and series[-1].start == at(2025, 12, 18, 9)
    # One-off meetings stay in the archive however old they are.
    assert found[-1].notice is old_meeting


def test_next_occurrences_counts_and_ends_with_the_rule():
    notice = unsaved(at(2026, 11, 28), repeat="weekly", repeat_weekday=5, repeat_until=datetime.date(2026, 12, 12))
    assert starts(scheduling.next_occurrences(notice, count=6, now=NOW)) == [
        at(2026, 11, 28),
        at(2026, 12, 5),
        at(2026, 12, 12),
    ]
    assert scheduling.next_occurrences(notice, now=at(2026, 12, 13)) == []
    assert len(scheduling.next_occurrences(unsaved(at(2026, 11, 28), repeat="weekly", repeat_weekday=5), now=NOW)) == 6


# --- Validation (what an editor sees in the admin) --------------------------------


def form_data(**fields):
    data = {
        "title": "每月18日便民集市",
        "slug": "market-18",
        "kind": "market_day",
        "intro": "",
        "body": streamfield([]),
        "start": "2026-12-18 08:00",
        "end": "2026-12-18 11:00",
        "place": "幸福里社区广场",
        "repeat": "",
        "comment_notifications": "",
    }
    data.update(fields)
    return nested_form_data({k: v for k, v in data.items() if v is not None})


def admin_form(**fields):
    """The form the Wagtail admin builds for a new notice, bound to the given input."""
    form_class = NoticePage.get_edit_handler().get_form_class()
    return form_class(form_data(**fields), instance=NoticePage(), parent_page=f.notice_index())


@pytest.mark.django_db
def test_admin_form_accepts_a_monthly_notice(home):
    form = admin_form(repeat="monthly_day", repeat_day="18", repeat_until="2027-06-18")
    assert form.is_valid(), form.errors
    notice = form.save(commit=False)
    assert notice.start == at(2026, 12, 18, 8)
    assert notice.repeat_description == "每月 18 日，至 2027年6月18日"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"end": "2026-12-18 07:00"}, {"end": "结束时间须晚于开始时间。"}),
        ({"end": "2026-12-18 08:00"}, {"end": "结束时间须晚于开始时间。"}),
        ({"repeat": "monthly_day"}, {"repeat_day": "请填写每月的哪一天（1 至 31）。"}),
        ({"repeat": "monthly_day", "repeat_day": "32"}, {"repeat_day": "请填写每月的哪一天（1 至 31）。"}),
        ({"repeat": "monthly_weekday"}, {"repeat_ordinal": "请选择第几个。", "repeat_weekday": "请选择星期几。"}),
        ({"repeat": "monthly_weekday", "repeat_ordinal": "1"}, {"repeat_weekday": "请选择星期几。"}),
        ({"repeat": "weekly"}, {"repeat_weekday": "请选择星期几。"}),
        (
            {"repeat": "monthly_day", "repeat_day": "18", "repeat_until": "2026-12-17"},
            {"repeat_until": "重复截止日期不能早于第一次活动。"},
        ),
        (
            # Until is after the start, but no 31st falls in between (November has 30 days).
            {"start": "2026-11-01 08:00", "end": "2026-11-01 11:00", "repeat": "monthly_day", "repeat_day": "31"}
            | {"repeat_until": "2026-11-30"},
            {"repeat_until": "从开始时间到截止日期之间没有符合重复规则的日子，请检查。"},
        ),
    ],
)
def test_admin_form_explains_mistakes_in_chinese(home, fields, errors):
    form = admin_form(**fields)
    assert not form.is_valid()
    for field, message in errors.items():
        assert form.errors[field] == [message]


@pytest.mark.django_db
def test_model_validation_clears_fields_the_rule_does_not_use(home):
    notice = NoticePage(
        title="每周三议事",
        slug="weekly",
        start=at(2026, 11, 25, 19),
        end=at(2026, 11, 25, 21),
        place="社区议事厅",
        repeat="weekly",
        repeat_weekday=2,
        repeat_day=18,
        repeat_ordinal=1,
    )
    notice.clean()
    assert (notice.repeat_day, notice.repeat_ordinal, notice.repeat_weekday) == (None, None, 2)
    once = NoticePage(
        title="一次", slug="once", start=NOW, end=NOW + datetime.timedelta(hours=1), place="广场", repeat_day=5
    )
    once.repeat_until = datetime.date(2027, 1, 1)
    once.clean()
    assert once.repeat_day is None and once.repeat_until is None


@pytest.mark.django_db
def test_admin_add_view_shows_the_errors_next_to_the_fields(admin_client, home):
    index = f.notice_index()
    url = f"/admin/pages/add/bulletins/noticepage/{index.pk}/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, form_data(end="2026-12-18 07:00", repeat="weekly"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "结束时间须晚于开始时间。" in content
    assert "请选择星期几。" in content
    assert not NoticePage.objects.exists()


# --- The /notices/ listing and archive --------------------------------------------


def titles_in(response):
    """Notice titles in the order the cards show them."""
    return re.findall(r'<h3 class="card-title"><a href="[^"]*">([^<]+)</a>', response.content.decode())


@pytest.mark.django_db
def test_index_shows_upcoming_occurrences_in_date_order(client, home, frozen):
    f.notice(title="每月18日便民集市", start=at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18)
    f.notice(
        title="月月谈",
        start=at(2026, 12, 5, 15),
        kind="meeting",
        repeat="monthly_weekday",
        repeat_ordinal=1,
        repeat_weekday=5,
    )
    f.notice(title="清扫楼道", start=at(2026, 11, 29, 8), kind="volunteer")
    f.notice(title="上周的义诊", start=at(2026, 11, 15, 8))
    response = client.get("/notices/")
    assert response.status_code == 200
    assert titles_in(response)[:5] == ["清扫楼道", "月月谈", "每月18日便民集市", "月月谈", "每月18日便民集市"]
    content = response.content.decode()
    assert "上周的义诊" not in content
    assert "2026年11月29日 星期日" in content
    assert "每月第一个星期六" in content
    assert 'href="webcal://testserver/notices/calendar.ics"' in content
    assert 'href="/notices/calendar.ics"' in content


@pytest.mark.django_db
def test_index_archive_shows_past_occurrences_newest_first(client, home, frozen):
    f.notice(title="每月18日便民集市", start=at(2026, 9, 18, 9), repeat="monthly_day", repeat_day=18)
    f.notice(title="去年的议事会", start=at(2025, 3, 2, 15), kind="meeting")
    f.notice(title="下周的义诊", start=at(2026, 11, 29, 8))
    response = client.get("/notices/?archive=1")
    assert response.status_code == 200
    assert titles_in(response) == ["每月18日便民集市", "每月18日便民集市", "每月18日便民集市", "去年的议事会"]
    content = response.content.decode()
    assert "2026年11月18日 星期三" in content and "2026年9月18日 星期五" in content
    assert "下周的义诊" not in content
    assert "往期活动" in content


@pytest.mark.django_db
def test_index_filters_by_kind(client, home, frozen):
    f.notice(title="便民集市", start=at(2026, 11, 28, 9), kind="market_day")
    f.notice(title="商居议事会", start=at(2026, 11, 28, 15), kind="meeting")
    response = client.get("/notices/?kind=meeting")
    assert titles_in(response) == ["商居议事会"]
    assert client.get("/notices/?kind=meeting&archive=1").status_code == 200
    assert client.get("/notices/?kind=party").status_code == 404


@pytest.mark.django_db
def test_index_paginates_and_a_bad_page_is_not_found(client, home, frozen):
    f.notice(title="每周三议事", start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2)
    first = client.get("/notices/")
    assert len(titles_in(first)) == 20
    assert "第 1 页，共 3 页" in first.content.decode()  # 52 Wednesdays within a year
    last = client.get("/notices/?page=3")
    assert len(titles_in(last)) == 12
    for bad in ["4", "0", "abc", "-1"]:
        assert client.get(f"/notices/?page={bad}").status_code == 404, bad


@pytest.mark.django_db
def test_notices_that_are_not_live_or_public_never_appear(client, home, frozen):
    f.notice(title="正常的集市", start=at(2026, 11, 28, 9))
    f.draft_notice(title="草稿集市", start=at(2026, 11, 28, 9))
    unpublished = f.notice(title="撤下的集市", start=at(2026, 11, 28, 9), slug="withdrawn")
    unpublished.unpublish()
    private = f.notice(title="内部会议", start=at(2026, 11, 28, 9), slug="internal")
    f.restrict(private)
    f.notice(title="过去的草稿", start=at(2026, 11, 1, 9), slug="old-draft").unpublish()
    for url in ["/notices/", "/notices/?archive=1", "/notices/calendar.ics"]:
        content = client.get(url).content.decode()
        for hidden in ["草稿集市", "撤下的集市", "内部会议", "过去的草稿"]:
            assert hidden not in content, (url, hidden)
    assert "正常的集市" in client.get("/notices/").content.decode()
    assert client.get("/notices/withdrawn/").status_code == 404
    assert client.get("/notices/withdrawn/event.ics").status_code == 404
    # A password-protected notice answers with the password form, never with the calendar.
    protected = client.get("/notices/internal/event.ics")
    assert not protected["Content-Type"].startswith("text/calendar")
    assert "内部会议" not in protected.content.decode()


# --- A notice page ----------------------------------------------------------------


@pytest.mark.django_db
def test_notice_page_shows_next_dates_member_merchants_and_calendar_link(client, home, frozen):
    c = f.community(name="东门社区", slug="dongmen")
    member = f.merchant(name="老王面馆", community_=c)
    f.merchant(name="张记超市", community_=c, status=Merchant.Status.SUSPENDED)
    f.merchant(name="新开的理发店", community_=c, status=Merchant.Status.APPLICANT)
    notice = f.notice(
        title="每月18日便民集市",
        slug="market-18",
        start=at(2026, 11, 18, 9),
        duration_hours=3,
        repeat="monthly_day",
        repeat_day=18,
        community=c,
        place="幸福里社区广场",
        merchants=list(Merchant.objects.all()),
    )
    response = client.get("/notices/market-18/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "每月 18 日" in content
    assert "下一次：" in content and "2026年12月18日 星期五 09:00</time>—12:00" in content
    assert content.count("<li><time") == 6
    assert "2027年5月18日 星期二" in content
    assert f'href="{member.get_absolute_url()}">老王面馆</a>' in content
    assert "张记超市" not in content and "新开的理发店" not in content
    assert 'href="/notices/market-18/event.ics"' in content
    assert "加入手机日历" in content
    assert notice.merchants.count() == 3


@pytest.mark.django_db
def test_notice_page_for_a_one_off_spanning_midnight(client, home, frozen):
    f.notice(title="跨年志愿守夜", slug="new-year", start=at(2026, 12, 31, 22), duration_hours=4, kind="volunteer")
    content = client.get("/notices/new-year/").content.decode()
    assert "2026年12月31日 星期四 22:00</time>—2027年1月1日 星期五 02:00" in content
    assert "已结束" not in content
    assert "接下来的日期" not in content


@pytest.mark.django_db
def test_notice_page_of_a_finished_notice(client, home, frozen):
    f.notice(title="上月议事会", slug="last-month", start=at(2026, 10, 10, 15), kind="meeting")
    f.notice(
        title="结束的集市",
        slug="ended",
        start=at(2026, 9, 18, 9),
        repeat="monthly_day",
        repeat_day=18,
        repeat_until=datetime.date(2026, 10, 31),
    )
    assert "已结束" in client.get("/notices/last-month/").content.decode()
    content = client.get("/notices/ended/").content.decode()
    assert "已结束" in content and "至 2026年10月31日" in content


@pytest.mark.django_db
def test_notice_preview_lists_member_merchants(admin_client, home, frozen):
    member = f.merchant(name="老王面馆")
    outsider = f.merchant(name="张记超市", status=Merchant.Status.WITHDRAWN)
    notice = f.notice(title="集市", start=at(2026, 11, 28, 9))
    notice.merchants = [member, outsider]  # unsaved: the preview sees the in-memory list
    response = notice.make_preview_request()
    assert response.status_code == 200
    content = response.rendered_content if hasattr(response, "rendered_content") else response.content.decode()
    assert "老王面馆" in content and "张记超市" not in content


# --- Query budgets: constant however many notices and merchants ---------------------

# Most of each budget is Wagtail's own routing (site, page tree, aliases, view restrictions)
# and the office settings every page shows; the notices and merchants cost one query each.
BUDGETS = {
    "/notices/": 12,
    "/notices/?archive=1": 12,
    "/notices/?kind=market_day": 12,
    "/notices/calendar.ics": 10,
    "page": 15,
    "event.ics": 11,
}


def count_queries(client, url, budget, django_assert_max_num_queries):
    """Queries for one request with a cold cache (site root paths are cached across requests)."""
    cache.clear()
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_notices(count, merchants_each):
    communities = [f.community() for _ in range(3)]
    rules = [
        {"repeat": "monthly_day", "repeat_day": 18},
        {"repeat": "weekly", "repeat_weekday": 2},
        {"repeat": "monthly_weekday", "repeat_ordinal": 1, "repeat_weekday": 5},
        {},
    ]
    for n in range(count):
        community = communities[n % 3]
        merchants = [f.merchant(community_=community) for _ in range(merchants_each)]
        merchants.append(f.merchant(community_=community, status=Merchant.Status.SUSPENDED))
        start = [at(2026, 11, 18, 9), at(2026, 11, 25, 19), at(2026, 12, 5, 9), at(2026, 12, 1 + n % 20, 9)][n % 4]
        # Past one-offs too, so the archive has something to list at both sizes.
        if n % 8 == 3:
            start = at(2026, 10, 1 + n % 20, 9)
        f.notice(start=start, community=community, merchants=merchants, **rules[n % 4])


LISTINGS = ["/notices/", "/notices/?archive=1", "/notices/?kind=market_day", "/notices/calendar.ics"]


@pytest.mark.django_db
def test_listing_and_feed_queries_do_not_grow(client, home, frozen, django_assert_max_num_queries):
    add_notices(4, merchants_each=1)
    client.get("/notices/")  # the very first request creates the office settings row
    small = {url: count_queries(client, url, BUDGETS[url], django_assert_max_num_queries) for url in LISTINGS}
    add_notices(16, merchants_each=3)
    large = {url: count_queries(client, url, BUDGETS[url], django_assert_max_num_queries) for url in LISTINGS}
    assert small == large


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "event.ics"])
def test_notice_page_queries_do_not_grow_with_merchants(client, home, frozen, django_assert_max_num_queries, suffix):
    c = f.community()
    rule = {"start": at(2026, 11, 18, 9), "repeat": "monthly_day", "repeat_day": 18, "community": c}
    few = f.notice(slug="few", merchants=[f.merchant(community_=c)], **rule)
    many_merchants = [f.merchant(community_=f.community()) for _ in range(15)]
    many_merchants += [f.merchant(status=Merchant.Status.APPLICANT) for _ in range(3)]
    many = f.notice(slug="many", merchants=many_merchants, **rule)
    budget = BUDGETS[suffix or "page"]
    client.get("/notices/")  # the very first request creates the office settings row
    small = count_queries(client, few.url + suffix, budget, django_assert_max_num_queries)
    large = count_queries(client, many.url + suffix, budget, django_assert_max_num_queries)
    assert small == large


def test_a_notice_page_shows_its_place_on_a_map_residents_can_open(client, home, settings):
    settings.MAP_CITY = "兰州市"
    notice = f.notice(title="便民集市", place="幸福里社区文化广场")
    link = BeautifulSoup(client.get(notice.url).content.decode(), "html.parser").find(
        "a", string=re.compile("在地图中查看")
    )
    parts = urlsplit(link["href"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "uri.amap.com", "/search")
    assert parse_qs(parts.query)["keyword"] == ["幸福里社区文化广场"]
    assert parse_qs(parts.query)["city"] == ["兰州市"]
