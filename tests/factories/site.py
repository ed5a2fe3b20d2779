"""A site with one page of every public type, for tests that walk all of them (headers, outages)."""

import datetime

from django.utils import timezone

from .alliance import community, grid, merchant
from .bulletins import honour_roll, news, notice
from .forms import convention
from .home import office_settings, standard_page


def every_public_page():
    """{what: url} for one page of every public type, each with the data its full template needs."""
    dongmen = community(name="东门社区", slug="dongmen")
    grid(dongmen, name="第一网格")
    office_settings(office_name="和平街道商居联盟", hotline="0931-12345678", address="解放路 1 号")
    noodles = merchant(name="老王面馆", community_=dongmen, offers="老人九折")
    roll = honour_roll(title="2026年第三季度红黑榜", honours=[(noodles, "red_flag", "装了油烟净化器")])
    start = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    market = notice(title="东门便民集市", start=start, community=dongmen)
    article = news(title="东门社区召开月月谈", community=dongmen, tags=["议事"], intro="商户居民共商油烟治理。")
    about = standard_page(title="关于商居联盟")
    convention()  # the apply wizard opens only with a published convention to sign
    return {
        "home": "/",
        "standard page": about.url,
        "news index": "/news/",
        "news page": article.url,
        "notice index": "/notices/",
        "notice page": market.url,
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
