"""Turn a demo data set into rows, images and published pages, idempotently.

Everything is found again by a stable key (community slug, grid name, a credit code
derived from the shop name, image title, page slug under its parent) and only written
when it differs from the data set. A second run therefore creates no rows, no images
and no page revisions; editing the data set and running again publishes one new
revision of just the pages that changed.
"""

import datetime
import hashlib
import json
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.fields import StreamField
from wagtail.images.models import Image
from wagtail.models import Collection, Page, PageLogEntry, Revision, Site
from wagtail.utils.file import hash_filelike

from alliance.models import Community, Grid, GridArea, Merchant
from alliance.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
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
from forms.models import Convention
from home.models import HomePage, OfficeSettings, StandardPage

from . import images as drawing
from .cases import build_cases
from .evaluation import build_evaluation
from .points import build_points
from .spec import Gallery, Paragraph, Picture, Quote, shopfront_title
from .staff import COMMUNITY_SLUG, build_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLISH_TIME = datetime.time(9, 30)
CONVENTION_VERSION = "2026 年版"


def load(dataset, stdout=None, verbosity=1):
    """Build the data set, then rebuild the search and reference indexes; returns the tally."""
    tally = DemoBuilder(dataset).build()
    # The indexes are rebuilt outside the build transaction: they read what it committed.
    quiet = StringIO() if verbosity < 2 else stdout
    call_command("update_index", verbosity=max(verbosity - 1, 0), stdout=quiet)
    call_command("rebuild_references_index", verbosity=max(verbosity - 1, 0), stdout=quiet)
    call_command("rebuild_search", verbosity=max(verbosity - 1, 0), stdout=quiet)
    return tally


# --- Identifiers -------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organisation_check(body):
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(name, division_code, company=False, wrong_check=False):
    """A well-formed unified social credit code derived from the shop name.

    Registration authority 9 (market regulation), type 1 (company) or 2 (individual
    business), the division code, an organisation code with its own GB 11714 check,
    then the GB 32100-2015 check character, deliberately wrong when asked.
    """
    digest = hashlib.sha256(name.encode()).digest()
    body = "MA" + "".join(CREDIT_CODE_ALPHABET[b % len(CREDIT_CODE_ALPHABET)] for b in digest[:6])
    first17 = ("91" if company else "92") + division_code + body + _organisation_check(body)
    check = credit_code_check_character(first17)
    if wrong_check:
        check = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(check) + 7) % len(CREDIT_CODE_ALPHABET)]
    return first17 + check


def demo_mobile(name):
    """A valid-looking mobile number with 0000 in the middle, so staff can tell it is made up."""
    digest = hashlib.sha256(("mobile:" + name).encode()).hexdigest()
    prefix = ("138", "139", "158", "186", "177", "135")[int(digest[0], 16) % 6]
    return f"{prefix}0000{int(digest[1:9], 16) % 10000:04d}"


def demo_phone(name, offers="", hours=""):
    """A shop's public phone in the demo's 0931 area, made up from its name: the local number starts
    with 0000, which no real number does. Shops that deliver or take bookings by phone always have
    one; of the others one in six has none registered, so the page's "暂未登记电话" shows too."""
    digest = hashlib.sha256(("phone:" + name).encode()).hexdigest()
    needs_one = "电话" in offers + hours or "送货" in offers
    if not needs_one and int(digest[0], 16) % 6 == 0:
        return ""
    return f"0931-0000{int(digest[1:9], 16) % 10000:04d}"


def _aware(value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=SHANGHAI)
    return datetime.datetime.combine(value, PUBLISH_TIME, tzinfo=SHANGHAI)


# --- Comparing and assigning ---------------------------------------------------------


def _strip_ids(value):
    """Stream data without block ids, which differ on every save of equal content."""
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def _stream_key(obj, field):
    value = getattr(obj, field.name)
    return json.dumps(_strip_ids(field.stream_block.get_prep_value(value)), sort_keys=True, ensure_ascii=False)


def assign(obj, values):
    """Set field values on `obj`; True if any differed. Handles streams, FKs and M2Ms."""
    changed = False
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if isinstance(field, StreamField):
            before = _stream_key(obj, field)
            setattr(obj, name, value)
            changed |= before != _stream_key(obj, field)
        elif field.many_to_many:
            before = sorted(o.pk for o in getattr(obj, name).all())
            if before != sorted(o.pk for o in value):
                setattr(obj, name, list(value))
                changed = True
        elif field.is_relation:
            if getattr(obj, field.attname) != (value.pk if value is not None else None):
                setattr(obj, name, value)
                changed = True
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def assign_children(obj, relation, model, rows):
    """Replace an inline child relation (areas, honours, warnings) if its rows differ.

    `rows` are dicts of attnames; order matters and becomes sort_order.
    """
    fields = list(rows[0]) if rows else []
    before = [{f: getattr(child, f) for f in fields} for child in getattr(obj, relation).all()]
    if before == rows:
        return False
    setattr(obj, relation, [model(sort_order=i, **row) for i, row in enumerate(rows)])
    return True


def assign_tags(page, names):
    if sorted(t.name for t in page.tags.all()) == sorted(names):
        return False
    page.tags.set(list(names))
    return True


# --- The builder ---------------------------------------------------------------------


class DemoBuilder:
    """Builds one data set; `tally` counts created / updated / unchanged per kind."""

    def __init__(self, dataset, now=None):
        self.data = dataset
        self.now = now or timezone.now()
        self.tally = Counter()
        self.images = {}
        self.communities = {}
        self.grids = {}
        self.merchants = {}

    def build(self):
        with transaction.atomic():
            self.build_images()
            self.build_registry()
            self.build_merchants()
            home = HomePage.objects.get()
            self.build_home(home)
            self.build_standard_pages(home)
            self.build_news(home)
            self.build_notices(home)
            self.build_honour_rolls(home)
            self.build_office_settings(home)
            self.build_convention()
            staff = build_staff(self.tally)
            build_cases(self.communities[COMMUNITY_SLUG], self.tally, staff["moderator"], staff["worker"])
            build_points(self.tally, staff, self.now)
            build_evaluation(self.tally, staff)
        return self.tally

    def _count(self, kind, created, changed):
        self.tally[(kind, "created" if created else "updated" if changed else "unchanged")] += 1

    # --- Images ---

    def build_images(self):
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=self.data.image_collection).first()
        if collection is None:
            collection = root.add_child(name=self.data.image_collection)
        existing = {image.title: image for image in Image.objects.filter(collection=collection)}
        for spec in self.data.images:
            image = existing.get(spec.title)
            created = image is None
            # A row whose file has gone (media folder wiped) gets its picture drawn again.
            missing = not created and not image.file.storage.exists(image.file.name)
            if created or missing:
                data, ext = drawing.render(spec)
                name = f"demo-{hashlib.sha256(spec.title.encode()).hexdigest()[:12]}.{ext}"
                image = image or Image(title=spec.title, collection=collection)
                image.file = ContentFile(data, name=name)
                image.file_size = len(data)
                image.file_hash = hash_filelike(ContentFile(data))
                image.save()
            self.images[spec.title] = image
            self._count("image", created, missing)

    def image(self, title):
        if title is None:
            return None
        try:
            return self.images[title]
        except KeyError:
            raise CommandError(f"演示数据引用了不存在的图片：{title}")

    # --- Registry ---

    def build_registry(self):
        for spec in self.data.communities:
            community = Community.objects.filter(slug=spec.slug).first()
            created = community is None
            community = community or Community(slug=spec.slug)
            changed = assign(
                community,
                {
                    "name": spec.name,
                    "sub_district": self.data.sub_district,
                    "address": spec.address,
                    "phone": spec.phone,
                    "households": spec.households,
                },
            )
            if created or changed:
                community.save()
            self._count("community", created, changed)
            self.communities[spec.slug] = community
            for grid_spec in spec.grids:
                grid = Grid.objects.filter(community=community, name=grid_spec.name).first()
                created = grid is None
                grid = grid or Grid(community=community, name=grid_spec.name)
                changed = assign(grid, {"code": grid_spec.code})
                rows = [{"kind": a.kind, "name": a.name, "chief": a.chief} for a in grid_spec.areas]
                changed |= assign_children(grid, "areas", GridArea, rows)
                if created or changed:
                    grid.save()
                self._count("grid", created, changed)
                self.grids[(spec.slug, grid_spec.name)] = grid

    def build_merchants(self):
        codes = {
            spec.name: credit_code(spec.name, self.data.division_code, spec.company, spec.wrong_check)
            for spec in self.data.merchants
        }
        existing = {m.credit_code: m for m in Merchant.objects.filter(credit_code__in=codes.values())}
        for spec in self.data.merchants:
            code = codes[spec.name]
            merchant = existing.get(code)
            created = merchant is None
            merchant = merchant or Merchant(credit_code=code)
            changed = assign(
                merchant,
                {
                    "name": spec.name,
                    "category": spec.category,
                    "address": spec.address,
                    "community": self.communities[spec.community],
                    "grid": self.grids[(spec.community, spec.grid)],
                    "contact_person": spec.contact,
                    "mobile": demo_mobile(spec.name),
                    "opening_hours": spec.hours,
                    "phone": demo_phone(spec.name, spec.offers, spec.hours),
                    "description": spec.description,
                    "offers": spec.offers,
                    "elderly_delivery": spec.elderly_delivery,
                    "accepts_volunteer_points": spec.volunteer_points,
                    "party_member_shop": spec.party_member,
                    "photo": self.image(shopfront_title(spec.name)) if spec.photo else None,
                    "membership_status": spec.status,
                    "member_since": spec.member_since if spec.status != Merchant.Status.APPLICANT else None,
                },
            )
            if created or changed:
                merchant.save()
            self._count("merchant", created, changed)
            self.merchants[spec.name] = merchant

    def merchant(self, name):
        try:
            return self.merchants[name]
        except KeyError:
            raise CommandError(f"演示数据引用了不存在的商户：{name}")

    # --- Pages ---

    def body(self, blocks):
        """Stream data for a body given as spec blocks."""
        return [self._block(block) for block in blocks]

    def _picture(self, picture):
        return {"image": self.image(picture.image).pk, "alt": picture.alt, "caption": picture.caption}

    def _block(self, block):
        if isinstance(block, Paragraph):
            return {"type": "paragraph", "value": block.html}
        if isinstance(block, Picture):
            return {"type": "image", "value": self._picture(block)}
        if isinstance(block, Quote):
            return {"type": "quote", "value": {"text": block.text, "attribution": block.attribution}}
        if isinstance(block, Gallery):
            # A plain list: ListBlock adds its item ids when the page is saved.
            items = [self._picture(p) for p in block.pictures]
            return {"type": "gallery", "value": {"title": block.title, "images": items}}
        raise TypeError(f"unknown body block {block!r}")

    def page(self, parent, model, slug, values, *, published_at, tags=None, children=None):
        """Create and publish, or update and republish when changed, one page under `parent`."""
        existing = Page.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            existing = existing.specific
            if not isinstance(existing, model):
                raise CommandError(
                    f"“{parent.title}”下已有网址为 {slug} 的{existing._meta.verbose_name}，"
                    f"演示内容需要在这里放{model._meta.verbose_name}；请先移走那个页面。"
                )
        created = existing is None
        page = existing or model(slug=slug)
        changed = assign(page, values)
        if tags is not None:
            changed |= assign_tags(page, tags)
        for relation, (child_model, rows) in (children or {}).items():
            changed |= assign_children(page, relation, child_model, rows)
        if created:
            published_at = min(published_at, self.now)
            page.first_published_at = published_at
            parent.add_child(instance=page)
            revision = page.save_revision()
            revision.publish()
            self._backdate(page, revision, published_at)
        elif changed or not page.live:
            changed = True
            page.save_revision().publish()
        self._count(model._meta.model_name, created, changed)
        return page

    def _backdate(self, page, revision, when):
        """Make a new page's history say it went live on its own date, not today."""
        Page.objects.filter(pk=page.pk).update(
            first_published_at=when, last_published_at=when, latest_revision_created_at=when
        )
        Revision.objects.filter(pk=revision.pk).update(created_at=when)
        PageLogEntry.objects.filter(page=page).update(timestamp=when)

    def build_home(self, home):
        changed = assign(home, {"welcome": self.data.welcome, "intro": self.data.home_intro})
        if changed:
            home.save_revision().publish()
        self._count("homepage", False, changed)

    def _index(self, home, model, spec):
        values = {"title": spec.title, "intro": spec.intro, "show_in_menus": True}
        return self.page(home, model, spec.slug, values, published_at=_aware(self.data.founded))

    def build_standard_pages(self, home):
        for spec in self.data.standard_pages:
            values = {
                "title": spec.title,
                "intro": spec.intro,
                "body": self.body(spec.body),
                "show_organisation": spec.show_organisation,
                "show_in_menus": True,
            }
            self.page(home, StandardPage, spec.slug, values, published_at=_aware(self.data.founded))

    def build_news(self, home):
        index = self._index(home, NewsIndexPage, self.data.news_index)
        for spec in self.data.news:
            values = {
                "title": spec.title,
                "date": spec.date,
                "intro": spec.intro,
                "body": self.body(spec.body),
                "community": self.communities[spec.community] if spec.community else None,
                "feed_image": self.image(spec.feed_image),
            }
            self.page(index, NewsPage, spec.slug, values, published_at=_aware(spec.date), tags=spec.tags)

    def _upcoming(self, spec):
        """Start and end, moved on by whole years if a keep-upcoming event is already over."""
        start, end = _aware(spec.start), _aware(spec.end)
        years = 0
        while spec.keep_upcoming and end.replace(year=end.year + years) <= self.now:
            years += 1
        return start.replace(year=start.year + years), end.replace(year=end.year + years)

    def build_notices(self, home):
        index = self._index(home, NoticeIndexPage, self.data.notice_index)
        for spec in self.data.notices:
            start, end = self._upcoming(spec)
            values = {
                "title": spec.title,
                "kind": spec.kind,
                "intro": spec.intro,
                "body": self.body(spec.body),
                "start": start,
                "end": end,
                "place": spec.place,
                "community": self.communities[spec.community] if spec.community else None,
                "merchants": [self.merchant(name) for name in spec.merchants],
                "repeat": spec.repeat,
                "repeat_day": spec.repeat_day,
                "repeat_weekday": spec.repeat_weekday,
                "repeat_ordinal": spec.repeat_ordinal,
                "feed_image": self.image(spec.feed_image),
            }
            # Announced a fortnight ahead, as the office does.
            self.page(index, NoticePage, spec.slug, values, published_at=start - datetime.timedelta(days=14))

    def build_honour_rolls(self, home):
        index = self._index(home, HonourRollIndexPage, self.data.honour_index)
        for spec in self.data.honour_rolls:
            values = {
                "title": spec.title,
                "period_label": spec.period_label,
                "period_start": spec.period_start,
                "period_end": spec.period_end,
                "intro": spec.intro,
                "body": self.body(spec.body),
                "feed_image": self.image(spec.feed_image),
            }
            honours = [
                {"merchant_id": self.merchant(h.merchant).pk, "title": h.title, "citation": h.citation}
                for h in spec.honours
            ]
            warnings = [
                {
                    "merchant_id": self.merchant(w.merchant).pk,
                    "reason": w.reason,
                    "resolved": w.resolved,
                    "resolution": w.resolution,
                }
                for w in spec.warnings
            ]
            self.page(
                index,
                HonourRollPage,
                spec.slug,
                values,
                published_at=_aware(spec.published),
                children={"honours": (HonourEntry, honours), "warnings": (WarningEntry, warnings)},
            )

    def build_office_settings(self, home):
        site = Site.objects.filter(is_default_site=True).first() or home.get_site()
        settings = OfficeSettings.objects.filter(site=site).first()
        created = settings is None
        settings = settings or OfficeSettings(site=site)
        office = self.data.office
        changed = assign(
            settings,
            {
                "office_name": office.office_name,
                "address": office.address,
                "hotline": office.hotline,
                "hours": office.hours,
                "share_image": self.image(office.share_image),
            },
        )
        if created or changed:
            settings.save()
        self._count("officesettings", created, changed)

    # --- The convention merchants sign (/apply/ is closed until one is published) ---

    def build_convention(self):
        spec = next(page for page in self.data.standard_pages if page.slug == "convention")
        text = "".join(block.html for block in spec.body if isinstance(block, Paragraph))
        convention = Convention.objects.filter(title=spec.title, version=CONVENTION_VERSION).first()
        created = convention is None
        convention = convention or Convention(title=spec.title, version=CONVENTION_VERSION)
        changed = assign(convention, {"body": text, "published": True})
        if created or changed:
            convention.save()
        self._count("convention", created, changed)
