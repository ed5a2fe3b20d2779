"""What the member directory at /merchants/ lets a resident narrow the list by, and undo.

Search, category, community and two services a resident asks for. The services are the shop's
own fields, so this registry app needs no other app: 可用积分 is `accepts_volunteer_points`, the
very flag the points ledger checks before a shop may take points (points.spending.check_shop),
so the directory, the shop's page, the card and the counter can never disagree. A shop takes
points at the counter through its staff or the office's, so points knows no more than the flag.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from portal import params
from portal.contentcache import remember_many, rendition_values

SERVICE_PARAMETER = "has"


@dataclass(frozen=True)
class Service:
    """A yes/no service a resident can filter by, e.g. ?has=delivery."""

    key: str
    label: str
    condition: Q


SERVICES = (
    Service("delivery", _("为老送货上门"), Q(elderly_delivery=True)),
    Service("points", _("可用积分"), Q(accepts_volunteer_points=True)),
)


def services(request):
    """The services asked for, in SERVICES' order, and whether some value was not one of them.

    Unknown values are left out, never a 404: a ticked box or an old link must still show shops.
    """
    by_key = {service.key: service for service in SERVICES}
    keys, ignored = params.choices(request, SERVICE_PARAMETER, list(by_key))
    return [by_key[key] for key in keys], ignored


@dataclass(frozen=True)
class Chip:
    """A filter in force shown as a link that removes it (`removes`), or the link that clears them all."""

    label: str
    url: str
    removes: bool = True


def chips(base_url, applied):
    """One chip per filter in force, whose link is the same list without it; then 清除全部.

    applied: (parameter, value, label) in the order the query string lists them. Links are
    built from what is in force, so a page number or an ignored value does not come along.
    """
    if not applied:
        return []

    def url(pairs):
        return f"{base_url}?{urlencode(pairs)}" if pairs else base_url

    pairs = [(name, value) for name, value, _label in applied]
    found = [Chip(label, url(pairs[:i] + pairs[i + 1 :])) for i, (_name, _value, label) in enumerate(applied)]
    return found + [Chip(str(_("清除全部")), base_url, removes=False)]


# --- Cards ----------------------------------------------------------------------------------

CARD_IMAGE = "fill-480x270|format-webp"


def merchant_card(merchant):
    """The plain values merchant_card.html shows: the public phone, never the contact person."""
    return {
        "url": merchant.get_absolute_url(),
        "name": merchant.name,
        "category": str(merchant.get_category_display()),
        "community": merchant.community.name,
        "address": merchant.address,
        "opening_hours": merchant.opening_hours,
        "phone": merchant.phone,
        "tel_uri": merchant.tel_uri,
        "offers": Truncator(merchant.offers).chars(60) if merchant.offers else "",
        "accepts_volunteer_points": merchant.accepts_volunteer_points,
        "elderly_delivery": merchant.elderly_delivery,
        "party_member_shop": merchant.party_member_shop,
        "image": rendition_values(merchant.photo, CARD_IMAGE),
    }


def merchant_cards(members, pks):
    """Cards of these members in the given order, built in one query for those not cached under the
    content generation (a merchant's change starts a new one: alliance/apps.py)."""

    def build(missing):
        shops = members.select_related("community", "photo").prefetch_related("photo__renditions")
        return {shop.pk: merchant_card(shop) for shop in shops.filter(pk__in=missing)}

    pks = list(pks)
    cards = remember_many("merchant-card", pks, build)
    return [cards[pk] for pk in pks if pk in cards]
