"""Small builders for the world each test needs; no demo content, no fixtures dumps."""

import datetime
import io
import itertools

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Page

from alliance.models import Community, Grid, Merchant
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
from home.models import HomePage

_seq = itertools.count(1)


def home_page():
    return HomePage.objects.get()


def community(name=None, slug=None, **kwargs):
    n = next(_seq)
    return Community.objects.create(name=name or f"测试社区{n}", slug=slug or f"community-{n}", **kwargs)


def grid(community_=None, name=None, **kwargs):
    community_ = community_ or community()
    return Grid.objects.create(community=community_, name=name or f"第{next(_seq)}网格", **kwargs)


def merchant(name=None, community_=None, status=Merchant.Status.MEMBER, **kwargs):
    community_ = community_ or community()
    kwargs.setdefault("category", Merchant.Category.RESTAURANT)
    kwargs.setdefault("address", f"解放路 {next(_seq)} 号")
    if status == Merchant.Status.MEMBER:
        kwargs.setdefault("member_since", datetime.date(2026, 3, 1))
    return Merchant.objects.create(
        name=name or f"测试商户{next(_seq)}", community=community_, membership_status=status, **kwargs
    )


def image(title="测试图片", size=(64, 48), color=(200, 40, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"test-{next(_seq)}.png"))


def _add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def news_index(parent=None):
    existing = NewsIndexPage.objects.first()
    return existing or _add(parent or home_page(), NewsIndexPage(title="联盟动态", slug="news"))


def notice_index(parent=None):
    existing = NoticeIndexPage.objects.first()
    return existing or _add(parent or home_page(), NoticeIndexPage(title="通知公告", slug="notices"))


def honour_index(parent=None):
    existing = HonourRollIndexPage.objects.first()
    return existing or _add(parent or home_page(), HonourRollIndexPage(title="红黑榜", slug="honour-rolls"))


def news(title=None, parent=None, tags=(), live=True, **kwargs):
    parent = parent or news_index()
    n = next(_seq)
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


def notice(title=None, parent=None, start=None, duration_hours=3, **kwargs):
    parent = parent or notice_index()
    n = next(_seq)
    start = start or (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    kwargs.setdefault("place", "社区广场")
    page = NoticePage(
        title=title or f"便民集市{n}",
        slug=kwargs.pop("slug", f"notice-{n}"),
        start=start,
        end=start + datetime.timedelta(hours=duration_hours),
        **kwargs,
    )
    return _add(parent, page)


def honour_roll(title=None, parent=None, honours=(), warnings=(), **kwargs):
    """honours: (merchant, title, citation) tuples; warnings: (merchant, reason, resolved)."""
    parent = parent or honour_index()
    n = next(_seq)
    kwargs.setdefault("period_label", "2026年第三季度")
    kwargs.setdefault("period_start", datetime.date(2026, 7, 1))
    kwargs.setdefault("period_end", datetime.date(2026, 9, 30))
    page = HonourRollPage(title=title or f"红黑榜{n}", slug=kwargs.pop("slug", f"roll-{n}"), **kwargs)
    page.honours = [HonourEntry(merchant=m, title=t, citation=c) for m, t, c in honours]
    page.warnings = [WarningEntry(merchant=m, reason=r, resolved=res) for m, r, res in warnings]
    return _add(parent, page)


def root_page():
    return Page.objects.get(depth=1)
