"""Fixtures for the security tests: production's security settings, a site with every public page type."""

import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from tests.security.production import SECURITY_SETTINGS, load_production


@pytest.fixture
def production(settings, monkeypatch):
    """The test settings with production's security settings on; requests must come over HTTPS."""
    module = load_production(monkeypatch)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, getattr(module, name))
    return module


@pytest.fixture
def site(home):
    """One page of every public type, with the data that makes each render its full template."""
    dongmen = f.community(name="东门社区", slug="dongmen")
    f.grid(dongmen, name="第一网格")
    f.office_settings(office_name="和平街道商居联盟", hotline="0931-12345678", address="解放路 1 号")
    noodles = f.merchant(name="老王面馆", community_=dongmen, offers="老人九折")
    roll = f.honour_roll(title="2026年第三季度红黑榜", honours=[(noodles, "red_flag", "装了油烟净化器")])
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    notice = f.notice(title="东门便民集市", start=start, community=dongmen)
    news = f.news(title="东门社区召开月月谈", community=dongmen, tags=["议事"], intro="商户居民共商油烟治理。")
    about = f.standard_page(title="关于商居联盟")
    f.convention()  # the apply wizard opens only with a published convention to sign
    return {
        "home": "/",
        "standard page": about.url,
        "news index": "/news/",
        "news page": news.url,
        "notice index": "/notices/",
        "notice page": notice.url,
        "honour roll index": "/honour-rolls/",
        "honour roll": roll.url,
        "merchant directory": "/merchants/",
        "merchant detail": f"/merchants/{noodles.pk}/",
        "search": "/search/?q=面馆",
        "report wizard": "/report/",
        "apply wizard": "/apply/",
        "track": "/track/",
        "not found": "/no-such-page/",
    }
