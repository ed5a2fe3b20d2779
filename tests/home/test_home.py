"""The home page, standard pages (about, organisation, convention) and the office settings."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.utils import formats, timezone

from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def soon(days, hour=9):
    start = timezone.localtime() + datetime.timedelta(days=days)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- Home ---------------------------------------------------------------------------


def test_home_shows_exactly_the_next_three_upcoming_notices(client, home):
    f.notice(title="已经结束的集市", start=soon(-3))
    for day, title in [(5, "第五天"), (1, "第一天"), (4, "第四天"), (2, "第二天"), (3, "第三天")]:
        f.notice(title=title, start=soon(day))
    f.notice(title="草稿活动", start=soon(1, hour=7)).unpublish()

    page = soup(client.get("/"))

    titles = [a.get_text() for a in page.select(".upcoming .card-title a")]
    assert titles == ["第一天", "第二天", "第三天"]


def test_a_repeating_notice_takes_one_place_not_three(client, home):
    f.notice(title="每周便民集市", start=soon(1, hour=8), repeat="weekly", repeat_weekday=soon(1).weekday())
    f.notice(title="月月谈", start=soon(10))

    titles = [a.get_text() for a in soup(client.get("/")).select(".upcoming .card-title a")]

    assert titles == ["每周便民集市", "月月谈"]


def test_home_without_notices_or_news_says_so(client, home):
    html = client.get("/").content.decode()

    assert "近期没有安排活动" in html
    assert "还没有发布动态" in html


def test_home_shows_the_five_latest_live_news(client, home):
    for day in range(1, 8):
        f.news(title=f"动态{day}", date=datetime.date(2026, 11, day))
    f.news(title="最新的草稿", date=datetime.date(2026, 11, 30), live=False)

    cards = soup(client.get("/")).select(".latest-news .news-card")

    assert [c.select_one(".card-title a").get_text() for c in cards] == ["动态7", "动态6", "动态5", "动态4", "动态3"]
    assert "2026年11月7日 星期六" in cards[0].get_text()


def test_home_shows_the_red_flag_holder_of_the_latest_live_roll(client, home):
    old, current, draft_holder = f.merchant(name="去年的店"), f.merchant(name="老王面馆"), f.merchant(name="草稿店")
    f.honour_roll(
        period_label="2026年第二季度",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        honours=[(old, "red_flag", "")],
    )
    f.honour_roll(
        period_label="2026年第三季度",
        honours=[(current, "red_flag", "油烟治理做得好"), (f.merchant(name="仁和诊所"), "civilised", "")],
    )
    f.honour_roll(
        period_label="2026年第四季度",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 12, 31),
        honours=[(draft_holder, "red_flag", "")],
    ).unpublish()

    page = soup(client.get("/"))
    flag = page.select_one(".red-flag")

    assert flag.select_one(".holder a").get_text() == "老王面馆"
    assert flag.select_one(".holder a")["href"] == f"/merchants/{current.pk}/"
    assert "2026年第三季度" in flag.get_text()
    assert "油烟治理做得好" in flag.get_text()
    honours = page.select_one(".honours")
    assert "2026年第三季度光荣榜" in honours.h2.get_text()
    assert "仁和诊所" in honours.get_text()
    assert "草稿店" not in page.get_text()


def test_home_without_a_red_flag_hides_the_box(client, home):
    f.honour_roll(honours=[(f.merchant(name="仁和诊所"), "civilised", "")])

    page = soup(client.get("/"))

    assert not page.select(".red-flag")
    assert "仁和诊所" in page.select_one(".honours").get_text()


def test_home_quick_links_and_today(client, home):
    response = client.get("/")
    page = soup(response)

    links = {a["href"]: a.get_text(" ", strip=True) for a in page.select(".quick-links a")}
    assert links.keys() == {"/report/", "/track/", "/apply/", "/merchants/"}
    assert "我要反映问题" in links["/report/"]
    assert "查询办理进度" in links["/track/"]
    assert "商户申请入盟" in links["/apply/"]
    assert "找联盟商户" in links["/merchants/"]
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"今天是 {today}" in response.content.decode()


def test_dates_read_like_chinese_calendars(client, home):
    assert formats.date_format(datetime.date(2026, 11, 22), "DATE_FORMAT") == "2026年11月22日 星期日"


def test_office_settings_show_in_footer_and_hotline_on_home(client, home):
    f.office_settings(
        office_name="东门街道商居联盟办公室", address="解放路 1 号", hotline="0931-12345678", hours="工作日 8:30—17:30"
    )

    page = soup(client.get("/"))
    footer = page.select_one("footer.site-footer")

    assert "东门街道商居联盟办公室" in footer.get_text()
    assert "解放路 1 号" in footer.get_text()
    assert "工作日 8:30—17:30" in footer.get_text()
    assert footer.select_one('a[href="tel:093112345678"]').get_text() == "0931-12345678"
    assert page.select_one('.hotline a[href="tel:093112345678"]')
    assert page.title.get_text().endswith("东门街道商居联盟办公室")
    office_map = urlsplit(footer.find("a", string="在地图中查看")["href"])
    assert (office_map.netloc, parse_qs(office_map.query)["keyword"]) == ("uri.amap.com", ["解放路 1 号"])


def test_phone_numbers_typed_with_spaces_or_full_width_digits_still_dial(client, home):
    # A tel: link holds no spaces; as typed it would not dial on many phones.
    f.office_settings(hotline="０９３１ 1234 5678")
    f.community(name="东门社区", phone="0931 8461 2201")
    org = f.standard_page(title="组织架构", show_organisation=True)
    for url in ("/", org.url):
        page = soup(client.get(url))
        hrefs = {a["href"] for a in page.select('a[href^="tel:"]')}
        assert all(" " not in href and href[4:].isascii() for href in hrefs), hrefs
    assert soup(client.get("/")).select_one('.hotline a[href="tel:093112345678"]')
    assert soup(client.get(org.url)).select_one('.organisation a[href="tel:093184612201"]')


def test_home_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            c = f.community()
            f.news(community=c, tags=["集市", f"t{i}"], feed_image=f.image(), intro="摘要")
            f.notice(start=soon(i + 1), community=c)
            f.notice(start=soon(-(i + 2)))
            f.honour_roll(
                period_end=datetime.date(2026, 9, 30) + datetime.timedelta(days=i),
                honours=[(f.merchant(community_=c), "red_flag", "好"), (f.merchant(community_=c), "civilised", "")],
            )

    grow(2)
    small = rendered_queries(django_assert_max_num_queries, client, "/", budget=22)
    grow(8)
    large = rendered_queries(django_assert_max_num_queries, client, "/", budget=22)

    assert small == large


# --- Standard pages -----------------------------------------------------------------


def test_standard_page_renders_body_and_subpages(client, home):
    about = f.standard_page(
        title="关于商居联盟",
        slug="about",
        intro="商户和居民坐到一张桌子上。",
        body=f.body(("paragraph", "<p>联盟由社区牵头，每月召开月月谈。</p>")),
    )
    f.standard_page(title="商居共建自治公约", slug="convention", parent=about)

    response = client.get("/about/")
    page = soup(response)

    assert response.status_code == 200
    assert page.h1.get_text() == "关于商居联盟"
    assert "联盟由社区牵头，每月召开月月谈。" in page.select_one(".prose").get_text()
    assert page.select_one('.subpages a[href="/about/convention/"]').get_text() == "商居共建自治公约"
    assert page.select_one('footer a[href="/about/"]').get_text() == "关于商居联盟"
    convention = soup(client.get("/about/convention/"))
    assert convention.select_one('.breadcrumbs a[href="/about/"]')


def test_organisation_page_lists_communities_grids_and_chiefs(client, home):
    dongmen = f.community(name="东门社区", sub_district="和平街道")
    first = f.grid(dongmen, name="第一网格")
    f.grid_area(first, name="幸福里 3 号楼", chief="王秀兰")
    f.grid_area(first, name="解放路东段", chief="李建国", kind="street")
    f.grid(dongmen, name="第二网格")
    org = f.standard_page(title="组织架构", show_organisation=True)

    text = soup(client.get(org.url)).select_one(".organisation").get_text(" ", strip=True)

    assert "东门社区" in text and "和平街道" in text
    assert "第一网格" in text and "第二网格" in text
    assert "幸福里 3 号楼：楼栋长 王秀兰" in text
    assert "解放路东段：街巷长 李建国" in text


def test_organisation_page_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    def grow(communities, grids, areas):
        for _ in range(communities):
            c = f.community()
            for _ in range(grids):
                g = f.grid(c)
                for n in range(areas):
                    f.grid_area(g, chief=f"楼栋长{n}")

    org = f.standard_page(title="组织架构", show_organisation=True, body=f.body(("paragraph", "<p>架构</p>")))
    f.standard_page(parent=org)
    grow(1, 1, 1)
    small = rendered_queries(django_assert_max_num_queries, client, org.url, budget=18)
    grow(5, 4, 5)
    for _ in range(3):
        f.standard_page(parent=org)
    large = rendered_queries(django_assert_max_num_queries, client, org.url, budget=18)

    assert small == large


def test_unknown_page_is_a_friendly_404(client, home):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()
    assert soup(response).select_one('a[href="/"]')
