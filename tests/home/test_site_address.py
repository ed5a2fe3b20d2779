"""Every absolute URL we hand out carries the site's real address, never localhost or the host a request used.

The address is the Wagtail Site's (portal/siteaddress.py). A deployment sets it (migrate takes
WAGTAILADMIN_BASE_URL, `bootstrap_site --url` takes where `make run` serves, editors may change it
in the admin); here it is https://shangju.example.cn while requests arrive on the office LAN's
10.1.2.3:8000, so a link built from the request host would show.
"""

import io
import re

import pytest
from bs4 import BeautifulSoup
from defusedxml import ElementTree
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from icalendar import Calendar
from wagtail.models import Site

from casework.models import CaseCategory
from casework.submission import submit_report
from casework.transitions import perform
from tests import factories as f

pytestmark = pytest.mark.django_db

REAL = "https://shangju.example.cn"
LAN = "10.1.2.3:8000"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site(real_site):
    return real_site


@pytest.fixture
def lan():
    """A visitor who reached the portal on another address than the site's."""
    return Client(HTTP_HOST=LAN)


def absolute_urls(text):
    """Every absolute URL in a text, leaving out XML namespace names (they are names, not links)."""
    return re.findall(r"(?:https?|webcal)://[^\s\"'<>]+", re.sub(r'xmlns(:\w+)?="[^"]*"', "", text))


def assert_all_real(urls):
    assert urls
    for url in urls:
        assert url.split("://", 1)[1].startswith("shangju.example.cn/"), url


def head(response):
    return BeautifulSoup(response.content.decode(), "html.parser").head


# --- Where the address comes from ------------------------------------------------------------


def test_a_fresh_test_database_already_has_the_configured_address(home):
    # portal.settings.test says WAGTAILADMIN_BASE_URL = http://testserver; the first migration said localhost.
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("testserver", 80)


@override_settings(WAGTAILADMIN_BASE_URL=REAL)
def test_migrate_gives_the_placeholder_site_the_configured_address(home, client):
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("shangju.example.cn", 443, REAL)
    locs = [loc.text for loc in ElementTree.fromstring(client.get("/sitemap.xml").content).iter(f"{SITEMAP}loc")]
    assert_all_real(locs)


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")
def test_migrate_keeps_an_address_set_in_the_admin(site):
    call_command("migrate", verbosity=0, interactive=False)
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("shangju.example.cn", 443)


def test_bootstrap_site_moves_the_site_to_where_make_run_serves(home, monkeypatch):
    monkeypatch.setenv("SHANGJU_ADMIN_PASSWORD", "correct horse battery staple")
    f.community()  # not an empty database: no demo content is loaded
    out = io.StringIO()
    call_command("bootstrap_site", url="http://127.0.0.1:8077/", stdout=out)
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "http://127.0.0.1:8077"
    assert "门户网站：http://127.0.0.1:8077/" in out.getvalue()
    # Without --url the site stays where it is, and the message says where that is.
    again = io.StringIO()
    call_command("bootstrap_site", stdout=again)
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8077"
    assert "门户网站：http://127.0.0.1:8077/" in again.getvalue()


@pytest.mark.parametrize("url", ["ftp://example.cn/", "https://shangju.example.cn:8443/", "not a url"])
def test_bootstrap_site_refuses_an_address_the_site_cannot_hold(home, url):
    f.community()
    with pytest.raises(Exception, match="地址"):
        call_command("bootstrap_site", url=url, stdout=io.StringIO())
    assert Site.objects.get(is_default_site=True).hostname == "testserver"


# --- What carries it --------------------------------------------------------------------------


def test_sitemap_and_robots_use_the_sites_address(site, lan):
    f.news(slug="story")
    f.standard_page(slug="about")
    root = ElementTree.fromstring(lan.get("/sitemap.xml").content)
    assert_all_real([loc.text for loc in root.iter(f"{SITEMAP}loc")])
    robots = lan.get("/robots.txt").content.decode()
    assert f"Sitemap: {REAL}/sitemap.xml" in robots.splitlines()


def test_feeds_use_the_sites_address(site, lan):
    f.news(title="东门社区召开月月谈", slug="monthly-talk")
    channel = ElementTree.fromstring(lan.get("/feeds/news/").content).find("channel")
    assert channel.findtext("link") == f"{REAL}/news/"
    assert channel.find(f"{ATOM}link").get("href") == f"{REAL}/feeds/news/"
    assert channel.find("item").findtext("link") == f"{REAL}/news/monthly-talk/"
    assert channel.find("item").findtext("guid") == f"{REAL}/news/monthly-talk/"
    assert_all_real(absolute_urls(lan.get("/feeds/news/").content.decode()))

    atom = ElementTree.fromstring(lan.get("/feeds/news/atom/").content)
    assert atom.findtext(f"{ATOM}id") == f"{REAL}/news/"
    assert {link.get("rel"): link.get("href") for link in atom.findall(f"{ATOM}link")} == {
        "alternate": f"{REAL}/news/",
        "self": f"{REAL}/feeds/news/atom/",
    }
    assert_all_real([e.find(f"{ATOM}link").get("href") for e in atom.findall(f"{ATOM}entry")])


def test_calendar_files_use_the_sites_address(site, lan):
    notice = f.notice(title="便民集市", slug="market", start=f.shanghai(2027, 1, 18, 9))
    for url in ("/notices/market/event.ics", "/notices/calendar.ics"):
        (event,) = Calendar.from_ical(lan.get(url).content).events
        assert str(event["UID"]) == f"notice-{notice.pk}@shangju.example.cn"
        assert str(event["URL"]) == f"{REAL}/notices/market/"
        assert f"详情：{REAL}/notices/market/" in str(event["DESCRIPTION"])
    listing = BeautifulSoup(lan.get("/notices/").content.decode(), "html.parser")
    subscribe = listing.find("a", string="订阅到手机日历")["href"]
    assert subscribe == "webcal://shangju.example.cn/notices/calendar.ics"


def test_opengraph_and_canonical_links_use_the_sites_address(site, lan):
    article = f.news(title="巷口积水当天解决", slug="drain", feed_image=f.image(size=(1600, 900)))
    page = head(lan.get(article.url, {"utm_source": "wechat"}))
    assert page.find("meta", property="og:url")["content"] == f"{REAL}/news/drain/"
    assert page.find("link", rel="canonical")["href"] == f"{REAL}/news/drain/"
    assert page.find("meta", property="og:image")["content"].startswith(f"{REAL}/")

    # Views outside Wagtail's page tree too; a listing's page number is part of the address, junk is not.
    for i in range(25):
        f.merchant(name=f"商户{i:02d}")
    listing = head(lan.get("/merchants/", {"page": "2", "from": "qr"}))
    assert listing.find("link", rel="canonical")["href"] == f"{REAL}/merchants/?page=2"
    assert listing.find("meta", property="og:url")["content"] == f"{REAL}/merchants/?page=2"
    first = head(lan.get("/merchants/", {"page": "1"}))
    assert first.find("link", rel="canonical")["href"] == f"{REAL}/merchants/"


def test_emails_to_a_reporter_link_to_the_sites_address(site, notified_staff, django_capture_on_commit_callbacks):
    report, _secret = submit_report(
        "k1",
        category=CaseCategory.objects.get(slug="cooking_fumes"),
        grid=notified_staff["grid"],
        address="解放路 18 号",
        description="饭店排烟管正对居民窗户",
        contact={"name": "王秀兰", "mobile": "13812345678", "email": "wang@example.com", "consent": True},
    )
    with django_capture_on_commit_callbacks(execute=True):
        perform(report, "accept", None, note="已受理")
    (message,) = mail.outbox
    assert f"{REAL}/track/" in message.body
    assert_all_real(absolute_urls(message.body))


def test_a_deployment_whose_site_is_localhost_keeps_it(home, client):
    # "Never localhost unless that really is the site": a Site at localhost set on purpose stays.
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=8000)
    f.notice(slug="market", start=f.shanghai(2027, 1, 18, 9))
    (event,) = Calendar.from_ical(client.get("/notices/market/event.ics").content).events
    assert str(event["URL"]) == "http://localhost:8000/notices/market/"
