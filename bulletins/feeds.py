"""RSS and Atom feeds of alliance news."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import siteaddress
from portal.xmltext import AtomFeed, RssFeed

from .models import NewsIndexPage, NewsPage
from .scheduling import SHANGHAI

FEED_SIZE = 20


class NewsRssFeed(Feed):
    """The latest live, public news: a fixed number of queries however many articles exist.

    Every text goes through portal.xmltext: a control character pasted into a title or a summary
    would otherwise make the XML writer raise and the feed answer 500. Every link is absolute on
    the site's address (portal/siteaddress.py); Django would otherwise prefix the host the feed
    reader happened to use.
    """

    feed_type = RssFeed

    title = _("商居联盟 · 联盟动态")
    description = _("社区商居联盟的最新动态")
    url_name = "news_feed"

    def get_object(self, request, *args, **kwargs):
        # What the feed's own links need from the request: the site's address.
        return siteaddress.root_url(request)

    def link(self, root):
        index = NewsIndexPage.objects.live().first()
        return index.get_full_url() if index else root + "/"

    def feed_url(self, root):
        return root + reverse(self.url_name)

    def items(self):
        # Cards' queryset: tags are prefetched for the categories, bodies are not loaded.
        return NewsPage.cards()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.title

    def item_link(self, item):
        return item.get_full_url()

    def item_categories(self, item):
        return [tag.name for tag in item.card_tags]

    def item_pubdate(self, item):
        """The article's date; the publishing time when it was published that same day."""
        published = item.first_published_at
        if published and timezone.localtime(published, SHANGHAI).date() == item.date:
            return published
        return datetime.datetime.combine(item.date, datetime.time(8, 0), tzinfo=SHANGHAI)

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)


class NewsAtomFeed(NewsRssFeed):
    feed_type = AtomFeed
    subtitle = NewsRssFeed.description
    url_name = "news_feed_atom"
