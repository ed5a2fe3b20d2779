"""What a card in a listing shows, as plain values kept under the content generation.

A card used to run, per article, a rendition lookup (and Wagtail's write of it to the cache), a page
URL, date formatting and truncation on every request. Here each is built once per content
generation, for all the cards a list lacks in one query, and read back in one cache round trip;
publishing, unpublishing, moving or deleting a page, or a change to a community or image, starts a
new generation (portal/pagecache.py), so a card is never stale.
"""

from django.utils import formats
from django.utils.text import Truncator

from portal.contentcache import remember_many, rendition_values

CARD_IMAGE = "fill-480x270|format-webp"


def _host(request):
    return request.get_host() if request is not None else ""


def news_card(article, request=None):
    """The plain values news_card.html shows for one article (tags prefetched by NewsPage.cards)."""
    return {
        "url": article.get_url(request),
        "title": article.title,
        "date": article.date.isoformat(),
        "date_text": formats.date_format(article.date, "DATE_FORMAT"),
        "community": article.community.name if article.community_id and article.community else "",
        "intro": Truncator(article.intro).chars(80) if article.intro else "",
        "tags": [tag.name for tag in article.card_tags],
        "image": rendition_values(article.feed_image, CARD_IMAGE),
    }


def news_cards(articles, pks, request=None):
    """Cards of these articles in the given order, those not cached built in one query from
    `articles` (NewsPage.cards(): live, public, with what a card needs)."""

    def build(missing):
        return {article.pk: news_card(article, request) for article in articles.filter(pk__in=missing)}

    pks = list(pks)
    cards = remember_many("news-card", pks, build, _host(request))
    return [cards[pk] for pk in pks if pk in cards]


def roll_card(roll, request=None):
    """The plain values a roll shows in the honour-roll index: its period and its red flags."""
    return {
        "url": roll.get_url(request),
        "title": roll.title,
        "period_label": roll.period_label,
        "period": "{}—{}".format(
            formats.date_format(roll.period_start, "SHORT_DATE_FORMAT"),
            formats.date_format(roll.period_end, "SHORT_DATE_FORMAT"),
        ),
        "red_flags": [honour.merchant.name for honour in roll.red_flags],
    }


def roll_cards(rolls, pks, request=None):
    """Cards of these rolls in the given order, from `rolls` (HonourRollPage.index_cards())."""

    def build(missing):
        return {roll.pk: roll_card(roll, request) for roll in rolls.filter(pk__in=missing)}

    pks = list(pks)
    cards = remember_many("roll-card", pks, build, _host(request))
    return [cards[pk] for pk in pks if pk in cards]
