"""RSS and Atom feeds of alliance news."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import NewsIndexPage, NewsPage

FEED_SIZE = 20


class NewsRssFeed(Feed):
    title = _("商居联盟 · 联盟动态")
    description = _("社区商居联盟的最新动态")

    def link(self):
        index = NewsIndexPage.objects.live().first()
        return index.url if index else "/"

    def items(self):
        return NewsPage.objects.live().order_by("-date", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
