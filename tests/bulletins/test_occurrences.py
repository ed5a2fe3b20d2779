"""The stored notice occurrences (bulletins/occurrences.py): the lists equal what scheduling.py
gives, no list is stale after a change to a notice, and the nightly top-up keeps the horizon."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from bulletins import scheduling
from bulletins.models import NoticeIndexPage, NoticeOccurrence, NoticePage
from tests import factories as f

pytestmark = pytest.mark.django_db

# A Sunday morning in Beijing, as in test_notices.py.
NOW = f.shanghai(2026, 11, 22, 10, 0)
at = f.shanghai
CARD = re.compile(r'<time datetime="([^"]+)">[^<]*</time>.*?<h3 class="card-title"><a href="([^"]*)">([^<]+)</a>', re.S)


class Clock:
    """Django's clock, frozen and movable (scheduling, views, saves and the command read it)."""

    def __init__(self, monkeypatch, now):
        self.now = now
        monkeypatch.setattr(timezone, "now", lambda: self.now.astimezone(datetime.UTC))

    def advance(self, days):
        self.now += datetime.timedelta(days=days)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, NOW)


def cards(client, url):
    """(start, href, title) of every card of a listing, following its pages to the end."""
    found, number = [], 1
    while True:
        response = client.get(f"{url}{'&' if '?' in url else '?'}page={number}")
        if response.status_code == 404 and number > 1:
            return found
        assert response.status_code == 200, (url, number)
        page = CARD.findall(response.content.decode())
        found += page
        if not page:
            return found
        number += 1


def expected(occurrences):
    return [(o.start.isoformat(), o.notice.url, o.notice.title) for o in occurrences]


def live_notices():
    return NoticePage.objects.live().order_by("pk")


def a_mix():
    """One-off and repeating notices over the edge cases scheduling.py pins."""
    f.notice(title="下周的义诊", start=at(2026, 11, 29, 8))
    f.notice(title="跨年守夜", start=at(2026, 12, 31, 22), duration_hours=4, kind="volunteer")
    f.notice(title="正在进行的集市", start=at(2026, 11, 22, 8), duration_hours=4)
    f.notice(title="去年的议事会", start=at(2025, 3, 2, 15), kind="meeting")
    f.notice(title="上周的清扫", start=at(2026, 11, 15, 8), kind="volunteer")
    f.notice(title="后年的庆典", start=at(2028, 5, 1, 9))
    f.notice(title="每月29日集市", start=at(2026, 1, 29, 9), repeat="monthly_day", repeat_day=29)
    f.notice(title="每月31日议事", start=at(2025, 12, 31, 15), kind="meeting", repeat="monthly_day", repeat_day=31)
    f.notice(
        title="截止到12月18日的集市",
        start=at(2026, 6, 18, 9),
        repeat="monthly_day",
        repeat_day=18,
        repeat_until=datetime.date(2026, 12, 18),
    )
    f.notice(
        title="最后一个星期日",
        start=at(2026, 3, 1, 9),
        repeat="monthly_weekday",
        repeat_ordinal=-1,
        repeat_weekday=6,
        kind="volunteer",
    )
    f.notice(title="每周三夜市", start=at(2026, 11, 25, 19), duration_hours=6, repeat="weekly", repeat_weekday=2)
    f.notice(
        title="已结束的周会",
        start=at(2026, 1, 5, 9),
        repeat="weekly",
        repeat_weekday=0,
        repeat_until=datetime.date(2026, 3, 30),
        kind="meeting",
    )


# --- The lists equal scheduling.py ----------------------------------------------------


def test_upcoming_and_archive_list_exactly_what_scheduling_gives(client, home, clock):
    a_mix()
    upcoming = scheduling.upcoming_occurrences(live_notices(), now=clock.now)
    past = scheduling.past_occurrences(live_notices(), now=clock.now)
    assert len(upcoming) > 60 and len(past) > 40  # several pages each
    assert cards(client, "/notices/") == expected(upcoming)
    assert cards(client, "/notices/?archive=1") == expected(past)
    meetings = [o for o in upcoming if o.notice.kind == "meeting"]
    assert cards(client, "/notices/?kind=meeting") == expected(meetings)
    old_meetings = [o for o in past if o.notice.kind == "meeting"]
    assert cards(client, "/notices/?kind=meeting&archive=1") == expected(old_meetings)


def test_the_29th_and_the_until_date_rules_in_the_list(client, home, clock):
    a_mix()
    starts = [start for start, _, title in cards(client, "/notices/") if title == "每月29日集市"]
    assert at(2027, 2, 28, 9).isoformat() not in starts and at(2027, 3, 29, 9).isoformat() in starts
    assert starts[:2] == [at(2026, 11, 29, 9).isoformat(), at(2026, 12, 29, 9).isoformat()]
    # The until date itself is an occurrence, and the last one.
    until = [start for start, _, title in cards(client, "/notices/") if title == "截止到12月18日的集市"]
    assert until == [at(2026, 12, 18, 9).isoformat()]


def test_home_shows_the_next_date_of_the_three_soonest_notices(client, home, clock):
    a_mix()
    soonest, seen = [], set()
    for occurrence in scheduling.upcoming_occurrences(live_notices(), now=clock.now):
        if occurrence.notice.pk not in seen:
            seen.add(occurrence.notice.pk)
            soonest.append(occurrence)
    html = client.get("/").content.decode()
    assert CARD.findall(html) == expected(soonest[:3])
    assert "正在进行的集市" in html  # still running counts as upcoming
    assert "每周三夜市" in html and "每周星期三" in html


def test_a_card_shows_place_community_kind_rule_and_a_second_date_past_midnight(client, home, clock):
    c = f.community(name="东门社区", slug="dongmen")
    f.notice(title="每周三夜市", slug="night", start=at(2026, 11, 25, 19), duration_hours=6, place="幸福里广场")
    f.notice(title="议事会", start=at(2026, 11, 26, 15), community=c, kind="meeting", repeat="weekly", repeat_weekday=3)
    html = client.get("/notices/").content.decode()
    assert 'href="/notices/night/"' in html
    assert "幸福里广场" in html and "· 东门社区" in html
    assert '<span class="badge">联盟议事</span>' in html and "每周星期四" in html
    assert "11月26日 01:00" in html  # the night market ends the next day
    # The community's new name shows without the notice being saved again.
    c.name = "东门新社区"
    c.save()
    assert "· 东门新社区" in client.get("/notices/").content.decode()


# --- No stale list after a change -----------------------------------------------------


def titles(client, url):
    return [title for _, _, title in CARD.findall(client.get(url).content.decode())]


def test_publish_unpublish_and_delete(client, home, clock):
    notice = f.notice(title="新的集市", start=at(2026, 11, 28, 9), repeat="weekly", repeat_weekday=5)
    assert "新的集市" in titles(client, "/notices/") and "新的集市" in titles(client, "/")
    notice.unpublish()
    assert "新的集市" not in titles(client, "/notices/") + titles(client, "/")
    assert not NoticeOccurrence.objects.filter(notice=notice).exists()
    notice.save_revision().publish()
    assert titles(client, "/notices/").count("新的集市") == 20
    notice.delete()
    assert "新的集市" not in titles(client, "/notices/")
    assert not NoticeOccurrence.objects.exists()


def test_an_edited_rule_lists_its_new_dates_and_a_draft_changes_nothing(client, home, clock):
    notice = f.notice(title="每月集市", start=at(2026, 11, 18, 9), repeat="monthly_day", repeat_day=18)
    first = cards(client, "/notices/")
    assert first[0][0] == at(2026, 12, 18, 9).isoformat()

    notice.repeat_day = 25
    notice.title = "每月25日集市"
    revision = notice.save_revision()
    assert cards(client, "/notices/") == first  # a draft is not public

    revision.publish()
    after = cards(client, "/notices/")
    assert after[0] == (at(2026, 11, 25, 9).isoformat(), notice.url, "每月25日集市")
    assert after == expected(scheduling.upcoming_occurrences(live_notices(), now=clock.now))

    # No longer repeating: the one date, 18 November, is over, so it moves to the archive.
    notice.repeat = ""
    notice.save_revision().publish()
    assert cards(client, "/notices/") == []
    assert cards(client, "/notices/?archive=1") == [(at(2026, 11, 18, 9).isoformat(), notice.url, "每月25日集市")]


def test_a_move_and_a_parent_slug_change_show_the_new_url(client, home, clock):
    notice = f.notice(title="搬家的集市", slug="moving", start=at(2026, 11, 28, 9))
    other = f.add_page(home, NoticeIndexPage(title="另一个栏目", slug="more-notices"))
    assert 'href="/notices/moving/"' in client.get("/").content.decode()

    notice.move(other, pos="last-child")
    assert "搬家的集市" not in titles(client, "/notices/")
    assert "搬家的集市" in titles(client, "/more-notices/")
    assert 'href="/more-notices/moving/"' in client.get("/").content.decode()

    other.slug = "activities"
    other.save_revision().publish()
    assert 'href="/activities/moving/"' in client.get("/activities/").content.decode()
    assert 'href="/activities/moving/"' in client.get("/").content.decode()
    assert client.get("/activities/moving/").status_code == 200


def test_a_restricted_notice_leaves_the_lists_and_returns(client, home, clock):
    notice = f.notice(title="内部会议", start=at(2026, 11, 28, 9), kind="meeting")
    restriction = f.restrict(notice)
    assert "内部会议" not in titles(client, "/notices/") + titles(client, "/")
    restriction.delete()
    assert "内部会议" in titles(client, "/notices/") and "内部会议" in titles(client, "/")


def test_reordering_renumbers_paths_and_a_restriction_still_hides_the_right_notice(client, home, clock):
    first = f.notice(title="先发布的集市", start=at(2026, 11, 28, 9))
    second = f.notice(title="内部议事", start=at(2026, 11, 29, 9), kind="meeting")
    f.restrict(second)
    # Moving the second before the first swaps their tree paths (treebeard renumbers siblings).
    second.move(first, pos="left")
    assert NoticePage.objects.get(pk=second.pk).path < NoticePage.objects.get(pk=first.pk).path
    shown = titles(client, "/notices/") + titles(client, "/")
    assert "内部议事" not in shown and shown.count("先发布的集市") == 2


# --- The nightly top-up -----------------------------------------------------------------


def test_the_lists_stay_exact_for_a_month_without_the_top_up(client, home, clock):
    f.notice(title="每周三议事", start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2)
    clock.advance(30)
    assert cards(client, "/notices/") == expected(scheduling.upcoming_occurrences(live_notices(), now=clock.now))
    assert cards(client, "/notices/?archive=1") == expected(scheduling.past_occurrences(live_notices(), now=clock.now))


def test_the_top_up_moves_the_horizon_on_and_is_idempotent(client, home, clock, capsys):
    f.notice(title="每周三议事", start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2)
    f.notice(title="一次性活动", start=at(2026, 12, 1, 9))
    clock.advance(90)
    listed = cards(client, "/notices/")
    wanted = expected(scheduling.upcoming_occurrences(live_notices(), now=clock.now))
    # Not run for three months: the far end of the year ahead is missing, nothing else is wrong.
    assert listed == wanted[: len(listed)] and len(listed) < len(wanted)

    call_command("refresh_notice_occurrences")
    said = capsys.readouterr().out
    assert "已更新 2 条通知" in said and "重复活动排到 2028-" in said
    assert cards(client, "/notices/") == wanted
    rows = list(NoticeOccurrence.objects.order_by("notice_id", "start").values_list("notice_id", "start", "title"))

    call_command("refresh_notice_occurrences")
    assert (
        list(NoticeOccurrence.objects.order_by("notice_id", "start").values_list("notice_id", "start", "title")) == rows
    )
    assert f"原有 {len(rows)} 个" in capsys.readouterr().out


def test_the_top_up_drops_rows_of_notices_no_longer_live(client, home, clock, capsys):
    kept = f.notice(title="保留", start=at(2026, 11, 28, 9))
    gone = f.notice(title="批量撤下", start=at(2026, 11, 28, 9))
    NoticePage.objects.filter(pk=gone.pk).update(live=False)
    call_command("refresh_notice_occurrences")
    assert set(NoticeOccurrence.objects.values_list("notice_id", flat=True)) == {kept.pk}
    assert "已更新 1 条通知的 1 个活动日期（原有 2 个）" in capsys.readouterr().out


def test_the_top_up_on_an_empty_site(db, capsys):
    call_command("refresh_notice_occurrences")
    assert "已更新 0 条通知的 0 个活动日期" in capsys.readouterr().out


# --- Odd URLs still answer as before ------------------------------------------------------


def test_bad_page_numbers_and_kinds_are_not_found(client, home, clock):
    f.notice(title="每周三议事", start=at(2026, 11, 25, 19), repeat="weekly", repeat_weekday=2)
    for bad in ["abc", "0", "-1", "1.5", "4", "99999", "9" * 40, "²"]:
        assert client.get(f"/notices/?page={bad}").status_code == 404, bad
        assert client.get(f"/notices/?archive=1&page={bad}").status_code == 404, bad
    assert client.get("/notices/?page=3").status_code == 200
    assert client.get("/notices/?page= 2").status_code == 200  # as Django's Paginator reads it
    assert client.get("/notices/?kind=party").status_code == 404
    # An empty first page is a page that says so.
    empty = client.get("/notices/?kind=meeting")
    assert empty.status_code == 200 and "近期没有安排活动。" in empty.content.decode()
    assert client.get("/notices/?kind=meeting&page=2").status_code == 404
