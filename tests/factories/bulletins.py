"""What the office publishes: the index pages, news, notices and honour rolls."""

import datetime
import json
from zoneinfo import ZoneInfo

from django.utils import timezone

from bulletins.models import (
    HonourEntry,
    HonourRollIndexPage,
    HonourRollPage,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    NoticePage,
    WarningEntry,
)

from .home import add_page, home_page
from .sequence import next_number


def news_index(parent=None):
    existing = NewsIndexPage.objects.first()
    return existing or add_page(parent or home_page(), NewsIndexPage(title="联盟动态", slug="news"))


def notice_index(parent=None):
    existing = NoticeIndexPage.objects.first()
    return existing or add_page(parent or home_page(), NoticeIndexPage(title="通知公告", slug="notices"))


def honour_index(parent=None):
    existing = HonourRollIndexPage.objects.first()
    return existing or add_page(parent or home_page(), HonourRollIndexPage(title="红黑榜", slug="honour-rolls"))


def body(*blocks):
    """A StreamField body in raw form from (type, value) pairs, e.g. ("paragraph", "<p>…</p>")."""
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def news(title=None, parent=None, tags=(), live=True, **kwargs):
    parent = parent or news_index()
    n = next_number()
    kwargs.setdefault("date", datetime.date(2026, 11, 1))
    page = NewsPage(title=title or f"联盟动态{n}", slug=kwargs.pop("slug", f"news-{n}"), **kwargs)
    parent.add_child(instance=page)
    for tag in tags:
        page.tags.add(tag)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.unpublish()
    return page


def shanghai(year, month, day, hour=8, minute=0):
    """An aware datetime in Beijing time, the zone every notice is entered in."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def _notice(title, slug, start, duration_hours, **kwargs):
    start = start or (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    kwargs.setdefault("place", "社区广场")
    return NoticePage(
        title=title, slug=slug, start=start, end=start + datetime.timedelta(hours=duration_hours), **kwargs
    )


def notice(title=None, parent=None, start=None, duration_hours=3, **kwargs):
    n = next_number()
    page = _notice(title or f"便民集市{n}", kwargs.pop("slug", f"notice-{n}"), start, duration_hours, **kwargs)
    return add_page(parent or notice_index(), page)


def draft_notice(title=None, parent=None, start=None, duration_hours=3, **kwargs):
    """A notice saved as a draft and never published."""
    n = next_number()
    page = _notice(
        title or f"草稿通知{n}", kwargs.pop("slug", f"draft-notice-{n}"), start, duration_hours, live=False, **kwargs
    )
    (parent or notice_index()).add_child(instance=page)
    page.save_revision()
    return page


def honour_roll(title=None, parent=None, honours=(), warnings=(), **kwargs):
    """honours: (merchant, title, citation) tuples; warnings: (merchant, reason, resolved)."""
    n = next_number()
    kwargs.setdefault("period_label", "2026年第三季度")
    kwargs.setdefault("period_start", datetime.date(2026, 7, 1))
    kwargs.setdefault("period_end", datetime.date(2026, 9, 30))
    page = HonourRollPage(title=title or f"红黑榜{n}", slug=kwargs.pop("slug", f"roll-{n}"), **kwargs)
    page.honours = [HonourEntry(merchant=m, title=t, citation=c) for m, t, c in honours]
    page.warnings = [WarningEntry(merchant=m, reason=r, resolved=res) for m, r, res in warnings]
    return add_page(parent or honour_index(), page)
