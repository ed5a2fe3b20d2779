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


# --- Staff users (groups made by home/migrations/0003) ------------------------------


def staff_user(group_name, username=None, **kwargs):
    """A user in one of the editorial groups; the group must exist (it comes from a migration)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    username = username or f"staff{next(_seq)}"
    kwargs.setdefault("password", "correct horse battery")
    kwargs.setdefault("email", f"{username}@example.cn")
    user = get_user_model().objects.create_user(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def editor(username=None, **kwargs):
    """编辑: writes and submits for approval, cannot publish."""
    return staff_user("编辑", username=username, **kwargs)


def moderator(username=None, **kwargs):
    """审核: approves and publishes, or sends back with a comment."""
    return staff_user("审核", username=username, **kwargs)


# --- Site shell (home app): standard pages, organisation and office settings ----------


def standard_page(title=None, parent=None, **kwargs):
    from home.models import StandardPage

    n = next(_seq)
    page = StandardPage(title=title or f"关于我们{n}", slug=kwargs.pop("slug", f"page-{n}"), **kwargs)
    return _add(parent or home_page(), page)


def grid_area(grid_, name=None, chief="", kind="building"):
    from alliance.models import GridArea

    return GridArea.objects.create(grid=grid_, name=name or f"幸福里{next(_seq)}号楼", chief=chief, kind=kind)


def office_settings(**fields):
    """The default site's OfficeSettings with the given fields saved."""
    from wagtail.models import Site

    from home.models import OfficeSettings

    office = OfficeSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(office, name, value)
    office.save()
    return office


def rendered_queries(django_assert_max_num_queries, client, url, budget):
    """How many queries the second GET of url runs (the first warms renditions and caches).

    Fails when that number exceeds budget; callers compare the counts at two content sizes.
    """
    assert client.get(url).status_code == 200, url
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def body(*blocks):
    """A StreamField body in raw form from (type, value) pairs, e.g. ("paragraph", "<p>…</p>")."""
    import json

    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


# --- Notices (tests/bulletins/test_notices.py, test_ical.py) ------------------------


def shanghai(year, month, day, hour=8, minute=0):
    """An aware datetime in Beijing time, the zone every notice is entered in."""
    from zoneinfo import ZoneInfo

    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def draft_notice(title=None, parent=None, start=None, duration_hours=3, **kwargs):
    """A notice saved as a draft and never published."""
    parent = parent or notice_index()
    n = next(_seq)
    start = start or (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    kwargs.setdefault("place", "社区广场")
    page = NoticePage(
        title=title or f"草稿通知{n}",
        slug=kwargs.pop("slug", f"draft-notice-{n}"),
        start=start,
        end=start + datetime.timedelta(hours=duration_hours),
        live=False,
        **kwargs,
    )
    parent.add_child(instance=page)
    page.save_revision()
    return page


def restrict(page):
    """Put a page behind a password, as an editor would with 'privacy' in the admin."""
    from wagtail.models import PageViewRestriction

    return PageViewRestriction.objects.create(page=page, restriction_type="password", password="secret")


# --- Merchant applications (tests/forms/test_apply_wizard.py, test_application_review.py) ---


def convention(version="2026 年版", body="<p>第一条 门前三包，不占道经营。</p>", published=True, **kwargs):
    from forms.models import Convention

    return Convention.objects.create(version=version, body=body, published=published, **kwargs)


def valid_credit_code(stem="91110105MA01ABCD1"):
    """An 18-character code whose check character is right (GB 32100-2015)."""
    from alliance.validators import credit_code_check_character

    return stem + credit_code_check_character(stem)


def application(community_=None, grid_=None, link_secret=None, photo=True, **kwargs):
    """A submitted MerchantApplication with a shop-front photo; its private link secret is `link_secret`."""
    from django.core.files.base import ContentFile

    from forms.models import ApplicationPhoto, MerchantApplication, hash_secret

    grid_ = grid_ or grid(community_)
    n = next(_seq)
    kwargs.setdefault("shop_name", f"申请商户{n}")
    kwargs.setdefault("category", Merchant.Category.SUPERMARKET)
    kwargs.setdefault("address", f"解放路 {n} 号")
    kwargs.setdefault("credit_code", valid_credit_code())
    kwargs.setdefault("contact_person", "李建国")
    kwargs.setdefault("mobile", "13900001111")
    kwargs.setdefault("opening_hours", "每天 7:00—21:00")
    kwargs.setdefault("offers", "每月 18 日全场九折")
    kwargs.setdefault("signed_name", kwargs["contact_person"])
    kwargs.setdefault("signed_at", timezone.now())
    if "convention" not in kwargs:
        from forms.models import Convention

        kwargs["convention"] = Convention.current() or convention()
    app = MerchantApplication.objects.create(
        reference=f"RM-20261122-{n:04d}",
        secret_hash=hash_secret(link_secret or f"link-{n}"),
        submission_key=f"key-{n}",
        community=grid_.community,
        grid=grid_,
        **kwargs,
    )
    if photo:
        buffer = io.BytesIO()
        PILImage.new("RGB", (80, 60), (30, 120, 200)).save(buffer, "JPEG")
        ApplicationPhoto.objects.create(
            application=app, kind=ApplicationPhoto.Kind.SHOP_FRONT, file=ContentFile(buffer.getvalue(), name="a.jpg")
        )
    return app


# --- Casework in the admin (tests/forms/test_inbox.py and friends) -------------------


def grid_worker(grid_, username=None, **kwargs):
    """A 网格员 (group from intake/migrations/0004) working grid_."""
    user = staff_user("网格员", username=username, **kwargs)
    grid_.workers.add(user)
    return user


def community_moderator(community_, username=None, **kwargs):
    """A 审核 user who moderates community_'s cases."""
    user = moderator(username=username, **kwargs)
    community_.moderators.add(user)
    return user


def case(grid_, state="submitted", category_slug="noise", **kwargs):
    """A GrievanceReport in grid_ with deadlines a few hours and days ahead unless given."""
    from forms.models import CaseCategory, GrievanceReport

    n = next(_seq)
    now = timezone.now()
    kwargs.setdefault("accept_due", now + datetime.timedelta(hours=4))
    kwargs.setdefault("resolve_due", now + datetime.timedelta(days=7))
    kwargs.setdefault("address", "幸福里 3 号楼")
    kwargs.setdefault("description", "楼下烧烤店每晚十一点后还在放音乐")
    kwargs.setdefault("reporter_name", "王秀兰")
    kwargs.setdefault("reporter_mobile", "13812345678")
    return GrievanceReport.objects.create(
        reference=kwargs.pop("reference", f"SJ-20261122-{n:04d}"),
        secret_hash=f"{n:064d}",
        submission_key=f"case-key-{n}",
        category=CaseCategory.objects.get(slug=category_slug),
        community=grid_.community,
        grid=grid_,
        state=state,
        **kwargs,
    )
