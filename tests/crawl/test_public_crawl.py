"""Crawl everything the public can reach and look for personal data that must never be there.

Seeded: named reports with full mobiles, anonymous reports that still carry a name (as a
legacy row or a resident who typed one and then ticked 匿名), member merchants with their
contact mobiles, and the pages that mention those merchants. The crawler starts at /, follows
every internal link and adds the feeds, sitemap, robots.txt, calendars, directory and search
result pages; no body may contain a seeded mobile (in any common spelling), any 11-digit
mainland mobile at all, or an anonymous reporter's name.
"""

import re
from collections import deque
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from alliance.models import Merchant
from casework.models import CaseCategory, GrievanceReport
from forms.models import QuestionnaireField, QuestionnairePage
from tests import factories as f
from tests.wizard_driver import UNSURE

pytestmark = pytest.mark.django_db

REPORTER_MOBILES = ["13812345678", "15900001234", "18611112222"]
MERCHANT_MOBILES = ["13987654321", "17733334444"]
ANONYMOUS_NAMES = ["赵铁柱", "钱小花", "孙建华"]
ANY_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/documents/", "/report/", "/apply/", "/text-size/")
MAX_URLS = 600
SEARCHES = [
    "王",
    "烧烤",
    "面馆",
    "集市",
    "13812345678",
    "5678",
    "赵铁柱",
    "解放路",
    "幸福里",
    "13987654321",
    "老王",
]


def spellings(mobile):
    return {mobile, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"}


@pytest.fixture
def seeded(db, client):
    community = f.community(name="东门社区", slug="dongmen", phone="010-6543 2100")
    grid = f.grid(community, name="第一网格")
    f.grid_area(grid, name="幸福里 3 号楼", chief="周楼长")
    for i, mobile in enumerate(REPORTER_MOBILES):
        f.case(grid, reporter_name=f"王秀兰{i}", reporter_mobile=mobile, state="resolved", result="已经处理")
    for name in ANONYMOUS_NAMES[:2]:
        # Rows from before anonymity wiped names, or an import: the name is stored but must not show.
        f.case(grid, anonymous=True, reporter_name=name, reporter_mobile="", description=f"{name}反映楼下太吵")
    report_anonymously(client, community, ANONYMOUS_NAMES[2])

    merchants = [
        f.merchant(
            name="老王面馆",
            community_=community,
            grid=grid,
            mobile=MERCHANT_MOBILES[0],
            contact_person="王建国",
            phone="0931-8123456",  # the shop's public phone: shown, unlike the mobile beside it
        ),
        f.merchant(name="幸福超市", community_=community, grid=grid, mobile=MERCHANT_MOBILES[1], contact_person="李梅"),
        f.merchant(name="退出的店", community_=community, mobile="13600006666", status=Merchant.Status.WITHDRAWN),
    ]
    for i in range(25):  # enough for a second directory page
        f.merchant(name=f"解放路商户{i}", community_=community, grid=grid, mobile=f"1350000{i:04d}")
    f.news(title="老王面馆获评文明诚信商户", body=f.body(("paragraph", "<p>老王面馆为老人免费送餐。</p>")))
    f.notice(title="十一月便民集市")
    f.honour_roll(
        honours=[(merchants[0], "文明诚信商户", "价格公道，秤准")], warnings=[(merchants[1], "占道经营", False)]
    )
    f.standard_page(title="关于联盟")
    survey = QuestionnairePage(title="解放路改造问卷", slug="survey")
    survey.form_fields = [QuestionnaireField(label="您的建议", field_type="multiline", sort_order=0)]
    f.add_page(f.home_page(), survey)
    return {"mobiles": REPORTER_MOBILES + MERCHANT_MOBILES + ["13600006666"], "names": ANONYMOUS_NAMES}


def report_anonymously(client, community, name):
    """Through the real wizard: the resident types a name and mobile, then ticks 匿名."""
    key = client.get("/report/").context["submission_key"]

    def post(step, data):
        payload = {"report_wizard-current_step": step, "submission_key": key}
        payload.update({f"{step}-{k}": v for k, v in data.items()})
        return client.post("/report/", payload)

    post("category", {"category": CaseCategory.objects.get(slug="noise").pk})
    post("community", {"community": community.pk})
    post("location", {"area": UNSURE, "address": "幸福里 3 号楼"})
    post("details", {"description": "楼上每晚装修到十一点"})
    post("contact", {"anonymous": "on", "name": name, "mobile": "13712340000", "consent": "on"})
    assert post("review", {"confirm": "on"}).status_code == 302
    assert GrievanceReport.objects.filter(anonymous=True, description="楼上每晚装修到十一点").exists()
    client.cookies.clear()


def links_in(response, base):
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    found = []
    if "html" in content_type:
        soup = BeautifulSoup(body, "html.parser")
        found += [tag.get("href") for tag in soup.find_all(["a", "link"], href=True)]
        found += [
            form.get("action") for form in soup.find_all("form") if (form.get("method") or "get").lower() == "get"
        ]
    elif "xml" in content_type or "rss" in content_type or "atom" in content_type:
        found += re.findall(r"<loc>([^<]+)</loc>", body) + re.findall(r"<link>([^<]+)</link>", body)
        found += re.findall(r'<link[^>]+href="([^"]+)"', body)
    elif "calendar" in content_type:
        found += re.findall(r"^URL:(\S+)", body, re.MULTILINE)
    urls = []
    for href in found:
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver", "localhost"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(SKIP_PREFIXES):
            urls.append(path)
    return urls


def crawl(client):
    start = ["/", "/robots.txt", "/sitemap.xml", "/feeds/news/", "/feeds/news/atom/", "/notices/calendar.ics"]
    start += ["/merchants/", "/merchants/?page=2", "/track/", "/news/", "/notices/", "/honour-rolls/"]
    start += [f"/search/?q={query}" for query in SEARCHES] + [f"/merchants/?q={query}" for query in SEARCHES]
    queue, seen, bodies = deque(start), set(start), {}
    while queue and len(bodies) < MAX_URLS:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in seen and not target.startswith(SKIP_PREFIXES):
                seen.add(target)
                queue.append(target)
            continue
        bodies[url] = (response.status_code, response.content.decode("utf-8", "replace"))
        if response.status_code == 200:
            for link in links_in(response, "http://testserver" + url):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return bodies


def test_public_crawl_leaks_no_mobile_and_no_anonymous_name(client, seeded):
    bodies = crawl(client)
    ok = {url for url, (status, _) in bodies.items() if status == 200}
    print(f"crawled {len(bodies)} URLs, {len(ok)} answered 200")  # the figure the issue asks for
    # The crawl really reached what it should judge: pages, feeds, calendars, directory, search.
    for must in ("/", "/sitemap.xml", "/feeds/news/", "/notices/calendar.ics", "/merchants/?page=2"):
        assert must in ok, must
    assert any(re.match(r"^/merchants/\d+/$", url) for url in ok)
    assert any(url.endswith("event.ics") for url in ok)
    assert any(url.startswith("/news/") and url != "/news/" for url in ok)
    assert any(url.startswith("/honour-rolls/") and url != "/honour-rolls/" for url in ok)
    assert "老王面馆" in bodies["/search/?q=面馆"][1]
    assert any('href="tel:09318123456"' in body for _status, body in bodies.values())
    assert len(ok) >= 40
    for url, (status, body) in bodies.items():
        assert status < 500, (url, status)
        query = parse_qs(urlsplit(url).query).get("q", [""])[0]
        if query:
            body = body.replace(query, "")  # the searcher's own words echoed back are no leak
        for mobile in seeded["mobiles"]:
            for spelled in spellings(mobile):
                assert spelled not in body, f"{url} shows the mobile {spelled}"
        leaked = ANY_MOBILE.findall(body)
        assert not leaked, f"{url} shows mobile numbers {leaked}"
        for name in seeded["names"]:
            assert name not in body, f"{url} shows the anonymous reporter {name}"
