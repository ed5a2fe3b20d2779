"""The shape of a demo data set, independent of its size.

A data set module (``sub_district`` today, perhaps a generated ``district`` later) fills
these in; ``build`` turns them into rows and pages. Everything is keyed by something
stable (a slug, a name, an image title) so that building twice finds what the first
run made instead of adding to it.
"""

import datetime
from dataclasses import dataclass


def shopfront_title(shop_name):
    """The title, and so the key, of a merchant's shop-front photo."""
    return f"门头照片：{shop_name}"


@dataclass(frozen=True)
class ImageSpec:
    """A picture drawn locally; ``title`` is its stable key."""

    title: str
    scene: str  # shopfront, market, meeting, street, visit, award, classroom, share
    headline: str
    subtitle: str = ""


# --- StreamField body blocks ------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    html: str  # Wagtail rich-text database format: <p>, <h2>, <ul>, <b>


@dataclass(frozen=True)
class Picture:
    image: str  # ImageSpec.title
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str = ""


@dataclass(frozen=True)
class Gallery:
    title: str
    pictures: tuple[Picture, ...]


# --- The registry -----------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    kind: str  # "street" or "building"
    name: str
    chief: str


@dataclass(frozen=True)
class GridSpec:
    name: str
    code: str
    areas: tuple[AreaSpec, ...]


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    slug: str
    address: str
    phone: str
    households: int
    grids: tuple[GridSpec, ...]


@dataclass(frozen=True)
class MerchantSpec:
    """A shop; its credit code is derived from the name, which makes the name its key."""

    name: str
    category: str
    community: str  # CommunitySpec.slug
    grid: str  # GridSpec.name
    address: str
    contact: str
    hours: str
    description: str
    offers: str = ""
    elderly_delivery: bool = False
    volunteer_points: bool = False
    party_member: bool = False
    status: str = "member"
    member_since: datetime.date | None = None
    photo: bool = False
    company: bool = False  # a company (91…) rather than an individual business (92…)
    wrong_check: bool = False  # a mistyped check character, for staff to notice


# --- Pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexSpec:
    slug: str
    title: str
    intro: str


@dataclass(frozen=True)
class StandardPageSpec:
    slug: str
    title: str
    intro: str
    body: tuple
    show_organisation: bool = False


@dataclass(frozen=True)
class NewsSpec:
    slug: str
    title: str
    date: datetime.date
    intro: str
    body: tuple
    tags: tuple[str, ...] = ()
    community: str | None = None
    feed_image: str | None = None


@dataclass(frozen=True)
class NoticeSpec:
    """A notice; times are naive Beijing time. ``keep_upcoming`` moves a one-off event
    forward by whole years when the demo is loaded after its date, so a fresh demo
    always shows something coming up."""

    slug: str
    title: str
    kind: str
    start: datetime.datetime
    end: datetime.datetime
    place: str
    intro: str
    body: tuple
    community: str | None = None
    merchants: tuple[str, ...] = ()
    repeat: str = ""
    repeat_day: int | None = None
    repeat_weekday: int | None = None
    repeat_ordinal: int | None = None
    feed_image: str | None = None
    keep_upcoming: bool = False


@dataclass(frozen=True)
class HonourSpec:
    merchant: str
    title: str  # HonourEntry.Title value
    citation: str


@dataclass(frozen=True)
class WarningSpec:
    merchant: str
    reason: str
    resolved: bool = False
    resolution: str = ""


@dataclass(frozen=True)
class HonourRollSpec:
    slug: str
    title: str
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    published: datetime.date
    intro: str
    body: tuple
    honours: tuple[HonourSpec, ...]
    warnings: tuple[WarningSpec, ...]
    feed_image: str | None = None


@dataclass(frozen=True)
class OfficeSpec:
    office_name: str
    address: str
    hotline: str
    hours: str
    share_image: str


@dataclass(frozen=True)
class Dataset:
    sub_district: str
    division_code: str  # administrative division code used in credit codes
    founded: datetime.date  # when the alliance's standing pages first went live
    office: OfficeSpec
    welcome: str
    home_intro: str
    images: tuple[ImageSpec, ...]
    communities: tuple[CommunitySpec, ...]
    merchants: tuple[MerchantSpec, ...]
    news_index: IndexSpec
    notice_index: IndexSpec
    honour_index: IndexSpec
    standard_pages: tuple[StandardPageSpec, ...]
    news: tuple[NewsSpec, ...]
    notices: tuple[NoticeSpec, ...]
    honour_rolls: tuple[HonourRollSpec, ...]
    image_collection: str = "演示图片"
