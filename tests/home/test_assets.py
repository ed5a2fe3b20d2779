"""What a phone downloads: small render-blocking files, images as sized WebP renditions."""

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from wagtail.images.models import Rendition

from tests import factories

pytestmark = pytest.mark.django_db

RENDER_BLOCKING_LIMIT = 50 * 1024


class AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocking, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("media") != "print":
            self.blocking.append(attrs["href"])
        elif tag == "script" and attrs.get("src") and not {"defer", "async"} & set(attrs):
            if attrs.get("type") != "module":
                self.blocking.append(attrs["src"])
        elif tag == "img":
            self.images.append(attrs)


@pytest.fixture
def site_with_images(home):
    picture = factories.image(size=(1600, 900))
    factories.news(title="社区集市开张", feed_image=picture)
    factories.merchant(name="巷口早点铺", photo=factories.image(size=(1200, 800)))
    factories.notice(title="便民集市")
    factories.honour_roll()
    factories.standard_page(title="关于我们", slug="about")
    return home


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = AssetParser()
    parser.feed(response.content.decode())
    return parser


PAGES = [
    "/",
    "/news/",
    "/notices/",
    "/honour-rolls/",
    "/merchants/",
    "/search/?q=集市",
    "/about/",
    "/report/",
    "/track/",
]


@pytest.mark.parametrize("url", PAGES)
def test_no_render_blocking_file_over_50_kb(client, site_with_images, url, settings):
    parser = parse(client, url)
    assert parser.blocking, "the stylesheet should be found"
    for href in parser.blocking:
        assert href.startswith(settings.STATIC_URL), href
        path = finders.find(href.removeprefix(settings.STATIC_URL))
        assert path, href
        with open(path, "rb") as file:
            size = len(file.read())
        assert size <= RENDER_BLOCKING_LIMIT, f"{href} is {size} bytes"


@pytest.mark.parametrize("url", ["/", "/news/", "/merchants/"])
def test_images_are_webp_renditions_with_their_size_set(client, site_with_images, url):
    images = parse(client, url).images
    assert images, url
    for img in images:
        assert img["src"].endswith(".webp"), img
        assert int(img["width"]) > 0 and int(img["height"]) > 0, img
        # Cards below the fold do not hold up the first screen.
        assert img.get("loading") == "lazy", img


def test_a_rendition_is_smaller_than_the_original(client, site_with_images):

    parse(client, "/news/")
    rendition = Rendition.objects.filter(filter_spec__contains="format-webp").first()
    assert rendition is not None
    assert rendition.width <= 480 and rendition.height <= 270
    assert rendition.file.size < rendition.image.file.size
