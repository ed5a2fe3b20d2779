"""The public member directory at /merchants/ and each member's page."""

import datetime
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Merchant
from alliance.views import PAGE_SIZE
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db

NON_MEMBER_STATUSES = [Merchant.Status.APPLICANT, Merchant.Status.SUSPENDED, Merchant.Status.WITHDRAWN]


def get(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params)
    return response.content.decode()


@pytest.fixture
def street(home):
    dongmen = f.community(name="东门社区", slug="dongmen")
    ximen = f.community(name="西门社区", slug="ximen")
    return {
        "dongmen": dongmen,
        "ximen": ximen,
        "noodles": f.merchant(name="老王面馆", community_=dongmen, offers="老人九折"),
        "market": f.merchant(name="李记超市", community_=ximen, category=Merchant.Category.SUPERMARKET),
        "clinic": f.merchant(name="仁和中医诊所", community_=dongmen, category=Merchant.Category.CLINIC),
        "noodles2": f.merchant(name="牛肉面馆", community_=ximen),
    }


# --- Listing, filters and search --------------------------------------------------------


def test_directory_lists_members_with_their_cards(client, street):
    html = get(client, "/merchants/")
    for name in ("老王面馆", "李记超市", "仁和中医诊所", "牛肉面馆"):
        assert name in html
    assert "共 4 家联盟商户" in html
    assert f'href="/merchants/{street["noodles"].pk}/"' in html
    assert "老人九折" in html


@pytest.mark.parametrize("status", NON_MEMBER_STATUSES)
def test_non_members_never_appear(client, street, status):
    other = f.merchant(name="不该出现的店", community_=street["dongmen"], status=status)
    assert "不该出现的店" not in get(client, "/merchants/")
    assert "不该出现的店" not in get(client, "/merchants/", {"q": "不该出现"})
    assert "不该出现的店" not in get(client, "/merchants/", {"community": "dongmen"})
    get(client, f"/merchants/{other.pk}/", status=404)


def test_filter_by_category(client, street):
    html = get(client, "/merchants/", {"category": "supermarket"})
    assert "李记超市" in html and "老王面馆" not in html
    assert '<option value="supermarket" selected>' in html


def test_filter_by_community(client, street):
    html = get(client, "/merchants/", {"community": "dongmen"})
    assert "老王面馆" in html and "仁和中医诊所" in html
    assert "李记超市" not in html and "牛肉面馆" not in html
    assert '<option value="dongmen" selected>' in html


def test_filters_combine(client, street):
    html = get(client, "/merchants/", {"community": "ximen", "category": "restaurant"})
    assert "牛肉面馆" in html
    assert "老王面馆" not in html and "李记超市" not in html


def test_search_by_chinese_substring(client, street):
    html = get(client, "/merchants/", {"q": "面馆"})
    assert "老王面馆" in html and "牛肉面馆" in html
    assert "李记超市" not in html
    html = get(client, "/merchants/", {"q": " 中医 "})
    assert "仁和中医诊所" in html and "老王面馆" not in html


def test_search_by_latin_name_ignores_case(client, street):
    f.merchant(name="Happy Bakery 烘焙", community_=street["dongmen"])
    assert "Happy Bakery" in get(client, "/merchants/", {"q": "happy"})


def test_search_with_no_match_says_so(client, street):
    html = get(client, "/merchants/", {"q": "火锅"})
    assert "没有符合条件的商户。" in html
    assert "共 0 家联盟商户" in html


def test_search_wildcards_are_taken_literally(client, street):
    assert "没有符合条件的商户。" in get(client, "/merchants/", {"q": "%"})
    assert "没有符合条件的商户。" in get(client, "/merchants/", {"q": "_"})


def test_overly_long_query_is_truncated(client, street):
    html = get(client, "/merchants/", {"q": "面" * 500})
    assert 'value="' + "面" * 50 + '"' in html
    assert "面" * 51 not in html


def test_query_is_escaped_when_echoed(client, street):
    html = get(client, "/merchants/", {"q": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "params",
    [
        {"category": "casino"},
        {"category": "RESTAURANT"},
        {"community": "nowhere"},
        {"community": "东门"},
        {"community": "dongmen\x00"},
        {"community": "x" * 500},
        {"page": "2"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": "99999999999999999999999"},
    ],
)
def test_unknown_filter_values_and_pages_are_404(client, street, params):
    get(client, "/merchants/", params, status=404)


@pytest.mark.parametrize("params", [{"q": "面\x00馆"}, {"q": "\x00"}, {"unknown": "x"}, {"page": ""}, {"q": ""}])
def test_odd_but_harmless_input_is_ignored(client, street, params):
    get(client, "/merchants/", params)


def test_pagination_keeps_the_filters(client, street):
    for i in range(PAGE_SIZE + 3):
        f.merchant(name=f"面馆分店{i:02d}", community_=street["dongmen"])
    first = get(client, "/merchants/", {"q": "面馆", "community": "dongmen"})
    assert "第 1 页，共 2 页" in first
    assert 'href="?q=%E9%9D%A2%E9%A6%86&amp;community=dongmen&amp;page=2"' in first
    second = get(client, "/merchants/", {"q": "面馆", "community": "dongmen", "page": "2"})
    assert "第 2 页，共 2 页" in second
    assert "面馆分店22" in second
    get(client, "/merchants/", {"q": "面馆", "community": "dongmen", "page": "3"}, status=404)


# --- A member's page --------------------------------------------------------------------


def test_member_page_shows_what_residents_need(client, street):
    m = f.merchant(
        name="张姐理发",
        community_=street["dongmen"],
        grid=f.grid(street["dongmen"], name="第二网格"),
        category=Merchant.Category.BARBER,
        offers="七十岁以上老人理发半价\n每月 18 日免费修面",
        opening_hours="周二至周日 8:30—20:00",
        accepts_volunteer_points=True,
        elderly_delivery=False,
        party_member_shop=True,
        member_since=datetime.date(2026, 3, 1),
    )
    html = get(client, f"/merchants/{m.pk}/")
    assert "<h1>张姐理发</h1>" in html
    assert "七十岁以上老人理发半价<br>每月 18 日免费修面" in html
    assert "周二至周日 8:30—20:00" in html
    assert "可以用志愿者积分抵扣" in html
    assert "2026年3月1日 入盟" in html
    assert "东门社区 · 第二网格" in html
    assert "党员商户" in html
    assert "美容美发" in html


def test_member_page_says_when_points_are_not_taken(client, street):
    html = get(client, f"/merchants/{street['market'].pk}/")
    assert "暂不接受志愿者积分" in html
    assert "暂无荣誉记录。" in html
    assert "暂未登记惠民措施。" in html
    assert "请到店咨询" in html


def test_member_page_escapes_what_merchants_typed(client, street):
    m = f.merchant(name="<i>坏</i>店", community_=street["dongmen"], offers="<script>x()</script>")
    html = get(client, f"/merchants/{m.pk}/")
    assert "<i>坏</i>" not in html and "<script>x()" not in html
    assert "&lt;i&gt;坏&lt;/i&gt;店" in html


def test_honours_come_only_from_published_rolls(client, street):
    noodles = street["noodles"]
    f.honour_roll(
        period_label="2026年第二季度",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        honours=[(noodles, "civilised", "油烟治理做得好")],
    )
    f.honour_roll(period_label="2026年第三季度", honours=[(noodles, "red_flag", "")])
    draft = f.honour_roll(period_label="2026年第四季度（草稿）", honours=[(noodles, "volunteer", "还没评完")])
    draft.unpublish()
    html = get(client, f"/merchants/{noodles.pk}/")
    assert "文明诚信商户" in html and "油烟治理做得好" in html
    assert "流动红旗" in html
    assert "还没评完" not in html and "2026年第四季度" not in html
    # Newest period first.
    assert html.index("2026年第三季度") < html.index("2026年第二季度")


def test_warnings_are_not_honours(client, street):
    f.honour_roll(warnings=[(street["noodles"], "多次占道经营", False)])
    html = get(client, f"/merchants/{street['noodles'].pk}/")
    assert "多次占道经营" not in html
    assert "暂无荣誉记录。" in html


@pytest.mark.parametrize("path", ["/merchants/999999/", "/merchants/99999999999999999999999/", "/merchants/abc/"])
def test_unknown_merchant_is_404(client, street, path):
    get(client, path, status=404)


@pytest.mark.parametrize("status", NON_MEMBER_STATUSES)
def test_former_member_with_honours_is_not_reachable(client, street, status):
    noodles = street["noodles"]
    f.honour_roll(honours=[(noodles, "red_flag", "")])
    noodles.membership_status = status
    noodles.save()
    get(client, f"/merchants/{noodles.pk}/", status=404)
    assert "老王面馆" not in get(client, "/merchants/")


# --- Privacy ----------------------------------------------------------------------------


def test_contact_person_and_mobile_never_appear_on_public_pages(client, street):
    m = f.merchant(
        name="老李五金",
        community_=street["dongmen"],
        contact_person="李建国",
        mobile="13912345678",
        credit_code="91350100M000100Y43",
        accepts_volunteer_points=True,
    )
    f.honour_roll(honours=[(m, "civilised", "")])
    pages = [
        get(client, "/merchants/"),
        get(client, "/merchants/", {"q": "五金"}),
        get(client, f"/merchants/{m.pk}/"),
    ]
    for html in pages:
        assert "老李五金" in html
        for secret in ("李建国", "13912345678", "139****5678", "5678", "91350100M000100Y43"):
            assert secret not in html


# --- Query budgets ----------------------------------------------------------------------


def _shops(community, n, with_honours=True):
    shops = [
        f.merchant(
            name=f"商户{i:03d}",
            community_=community,
            grid=f.grid(community),
            photo=f.image(),
            offers="老人九折",
            accepts_volunteer_points=bool(i % 2),
        )
        for i in range(n)
    ]
    if with_honours:
        f.honour_roll(honours=[(shop, "civilised", "好") for shop in shops])
    return shops


def _count(client, url, params=None):
    client.get(url, params or {})  # renditions are made once, on the first view
    # Cold cache, so a constant count comes from the queries, not from cached renditions.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries.captured_queries)


# Measured with a cold cache. Directory: count, the page of merchants (community, grid and
# photo joined), their renditions, the community filter list, the ?community= lookup, site,
# office settings, and the page and view restrictions the site chrome reads.
DIRECTORY_BUDGET = 9
# With a search: one more, the search index query that finds the matching shops.
SEARCH_BUDGET = DIRECTORY_BUDGET + 1
# Merchant page: the merchant (joined), its photo's rendition, its honours with their rolls,
# the site root paths for the roll links, site, office settings, page, view restrictions.
DETAIL_BUDGET = 8


def test_directory_runs_a_constant_number_of_queries(client, home, django_assert_max_num_queries):
    community = f.community(slug="budget")
    _shops(community, 5)
    small = _count(client, "/merchants/")
    small_filtered = _count(client, "/merchants/", {"community": "budget", "q": "商户"})
    _shops(community, 45)
    assert _count(client, "/merchants/") == small
    assert _count(client, "/merchants/", {"community": "budget", "q": "商户"}) == small_filtered
    params = {"page": "2", "community": "budget", "q": "商户"}
    client.get("/merchants/", params)
    cache.clear()
    with django_assert_max_num_queries(SEARCH_BUDGET):
        html = client.get("/merchants/", params).content.decode()
    assert html.count('class="card merchant-card"') == PAGE_SIZE
    assert html.count("<img") >= PAGE_SIZE


def test_merchant_page_runs_a_constant_number_of_queries(client, home, django_assert_max_num_queries):
    community = f.community()
    shop = f.merchant(name="老王面馆", community_=community, grid=f.grid(community), photo=f.image())

    def add_rolls(n, start):
        for i in range(start, start + n):
            f.honour_roll(
                period_label=f"第{i}期",
                period_start=datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * i),
                period_end=datetime.date(2020, 1, 28) + datetime.timedelta(days=30 * i),
                honours=[(shop, "civilised", f"评语{i}")],
            )

    add_rolls(2, 0)
    small = _count(client, f"/merchants/{shop.pk}/")
    add_rolls(10, 2)
    assert _count(client, f"/merchants/{shop.pk}/") == small
    cache.clear()
    with django_assert_max_num_queries(DETAIL_BUDGET):
        html = client.get(f"/merchants/{shop.pk}/").content.decode()
    assert html.count("文明诚信商户") == 12


# --- Phone and map on a member's page ------------------------------------------------------------


def tel_links(html):
    return [
        (a["href"], a.get_text(strip=True)) for a in BeautifulSoup(html, "html.parser").select("main a[href^='tel:']")
    ]


def test_member_page_shows_the_shops_public_phone_as_a_tel_link(client, street):
    m = f.merchant(
        name="丝艺理发店",
        community_=street["dongmen"],
        phone="0931-８１２３４５６",  # typed with full-width digits
        mobile="13912345678",
        contact_person="郭小燕",
        offers="行动不便的老人可电话预约上门理发",
    )
    html = get(client, f"/merchants/{m.pk}/")
    assert tel_links(html) == [("tel:09318123456", "0931-8123456")]
    # The applicant's private mobile and name stay private.
    assert "13912345678" not in html and "郭小燕" not in html
    assert tel_links(get(client, "/merchants/", {"q": "丝艺"})) == [("tel:09318123456", "0931-8123456")]


def test_member_page_without_a_phone_says_whom_to_ask(client, street):
    html = get(client, f"/merchants/{street['market'].pk}/")
    assert tel_links(html) == []
    assert "暂未登记电话" in html


def map_link(html):
    link = BeautifulSoup(html, "html.parser").find("a", string=re.compile("在地图中查看"))
    assert link is not None
    parts = urlsplit(link["href"])
    return parts, parse_qs(parts.query)


def test_member_page_links_to_the_shop_on_a_map_without_a_script_or_key(client, street, settings):
    m = f.merchant(name="幸福里惠民超市", community_=street["dongmen"], address="幸福巷 6 号")
    response = client.get(f"/merchants/{m.pk}/")
    html = response.content.decode()
    parts, query = map_link(html)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "uri.amap.com", "/search")
    assert query["keyword"] == ["幸福巷 6 号"] and query["src"] == ["shangju"]
    assert "city" not in query and "key" not in query
    # Nothing of the map is loaded by our page: no script, frame or image from elsewhere; CSP as strict as before.
    page = BeautifulSoup(html, "html.parser")
    for tag, attr in (("script", "src"), ("iframe", "src"), ("img", "src"), ("link", "href")):
        for element in page.find_all(tag):
            assert "amap" not in element.get(attr, ""), element
    assert "amap" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"] == client.get("/merchants/")["Content-Security-Policy"]

    settings.MAP_CITY = "兰州市"
    _parts, query = map_link(get(client, f"/merchants/{m.pk}/"))
    assert query["city"] == ["兰州市"]


# --- Search over what shops offer, with the site search's Chinese tokens -------------------------


@pytest.fixture
def shops(street):
    dongmen, ximen = street["dongmen"], street["ximen"]
    return {
        "supermarket": f.merchant(
            name="幸福里惠民超市",
            community_=dongmen,
            category=Merchant.Category.SUPERMARKET,
            address="幸福巷 6 号",
            offers="老人购物满 50 元免费送货上楼；每月 18 日粮油九五折。",
            elderly_delivery=True,
            accepts_volunteer_points=True,
        ),
        "fruit": f.merchant(
            name="鲜果园水果店",
            community_=ximen,
            category=Merchant.Category.SHOP,
            address="解放路 60 号",
            offers="一次买满 30 元可电话预约送货。",
            elderly_delivery=True,
        ),
        "barber": f.merchant(
            name="丝艺理发店",
            community_=dongmen,
            category=Merchant.Category.BARBER,
            address="幸福巷 15 号",
            description="夫妻俩开的理发店。",
            offers="老人理发 10 元。",
            accepts_volunteer_points=True,
        ),
    }


def names(html):
    return {h.get_text(strip=True) for h in BeautifulSoup(html, "html.parser").select(".merchant-card .card-title")}


def test_search_finds_shops_by_what_they_offer_not_only_their_name(client, shops):
    assert names(get(client, "/merchants/", {"q": "送货"})) == {"幸福里惠民超市", "鲜果园水果店"}
    assert names(get(client, "/merchants/", {"q": "幸福巷"})) == {"幸福里惠民超市", "丝艺理发店"}
    assert names(get(client, "/merchants/", {"q": "美容美发"})) == {"丝艺理发店"}  # the category
    assert names(get(client, "/merchants/", {"q": "夫妻"})) == {"丝艺理发店"}  # the description
    assert names(get(client, "/merchants/", {"q": "电话预约 送货"})) == {"鲜果园水果店"}
    assert "共 2 家联盟商户" in get(client, "/merchants/", {"q": "送货"})


def test_directory_search_finds_what_site_search_finds(client, shops):
    for query in ("送货", "幸福巷", "老人", "理发"):
        site = BeautifulSoup(get(client, "/search/", {"q": query}), "html.parser")
        shop_hits = {a.get_text(strip=True) for a in site.select(".search-result-merchant h2 a")}
        assert names(get(client, "/merchants/", {"q": query})) == shop_hits, query


def test_a_shop_whose_name_holds_the_query_comes_first(client, shops):
    f.merchant(name="送货到家便利店", community_=shops["fruit"].community, offers="")
    cards = [
        h.get_text(strip=True)
        for h in BeautifulSoup(get(client, "/merchants/", {"q": "送货"}), "html.parser").select(".card-title")
    ]
    assert cards[0] == "送货到家便利店" and set(cards[1:]) == {"幸福里惠民超市", "鲜果园水果店"}


# --- Filters: delivery for the elderly, volunteer points ------------------------------------------


def test_filter_shops_that_deliver_to_the_elderly(client, shops):
    html = get(client, "/merchants/", {"has": "delivery"})
    assert names(html) == {"幸福里惠民超市", "鲜果园水果店"}
    assert '<input type="checkbox" name="has" value="delivery" id="m-has-delivery" checked>' in html


def test_filter_shops_that_take_volunteer_points(client, shops):
    assert names(get(client, "/merchants/", {"has": "points"})) == {"幸福里惠民超市", "丝艺理发店"}


def test_filters_combine_with_each_other_search_community_and_category(client, shops):
    both = get(client, "/merchants/", [("has", "delivery"), ("has", "points")])
    assert names(both) == {"幸福里惠民超市"}
    assert names(get(client, "/merchants/", {"has": "points", "community": "dongmen", "q": "理发"})) == {"丝艺理发店"}
    assert names(get(client, "/merchants/", {"has": "delivery", "community": "ximen"})) == {"鲜果园水果店"}
    assert names(get(client, "/merchants/", {"has": "delivery", "category": "shop", "q": "送货"})) == {"鲜果园水果店"}
    assert names(get(client, "/merchants/", {"has": "points", "q": "送货", "community": "ximen"})) == set()


def chips(html):
    """(label, href) of each filter a resident can remove."""
    return [(a.get_text(" ", strip=True), a["href"]) for a in BeautifulSoup(html, "html.parser").select(".chips a")]


def test_active_filters_show_as_chips_each_removable_on_its_own(client, shops):
    html = get(client, "/merchants/", [("q", "送货"), ("community", "dongmen"), ("has", "delivery"), ("has", "points")])
    found = dict(chips(html))
    assert set(found) == {"搜索：送货 ×", "社区：东门社区 ×", "为老送货上门 ×", "可用积分 ×", "清除全部"}
    assert found["可用积分 ×"] == "/merchants/?q=%E9%80%81%E8%B4%A7&community=dongmen&has=delivery"
    assert found["搜索：送货 ×"] == "/merchants/?community=dongmen&has=delivery&has=points"
    assert found["清除全部"] == "/merchants/"
    for label, href in found.items():
        if label != "清除全部":
            left = {text for text, _href in chips(get(client, href))}
            assert left == set(found) - {label}, label
    # A chip also leaves the page number behind: the longer list's page 2 may not exist in the shorter one.
    paged = dict(chips(get(client, "/merchants/", {"has": "delivery", "category": "supermarket", "page": "1"})))
    assert paged["为老送货上门 ×"] == "/merchants/?category=supermarket"
    assert paged["类别：超市便利 ×"] == "/merchants/?has=delivery"
    assert dict(chips(get(client, "/merchants/", {"has": "delivery"})))["为老送货上门 ×"] == "/merchants/"


def test_no_chips_without_filters(client, shops):
    assert chips(get(client, "/merchants/")) == []


@pytest.mark.parametrize(
    "params",
    [
        [("has", "bogus")],
        [("has", "")],
        [("has", "DELIVERY")],
        [("has", "delivery\x00")],
        [("has", "送货")],
        [("has", "x" * 5000)],
        [("has", "points")] * 300,
    ],
)
def test_unknown_filter_values_answer_200_and_are_ignored(client, shops, params):
    response = client.get("/merchants/", params)
    assert response.status_code == 200
    html = response.content.decode()
    if params[0][1] == "points":
        assert names(html) == {"幸福里惠民超市", "丝艺理发店"}
        assert "已忽略" not in html
    else:
        assert names(html) == {
            "幸福里惠民超市",
            "鲜果园水果店",
            "丝艺理发店",
            "老王面馆",
            "李记超市",
            "仁和中医诊所",
            "牛肉面馆",
        }
        assert ("已忽略" in html) == bool(params[0][1])


def test_a_known_filter_still_applies_beside_an_unknown_one(client, shops):
    html = get(client, "/merchants/", [("has", "delivery"), ("has", "wifi")])
    assert names(html) == {"幸福里惠民超市", "鲜果园水果店"}
    assert "有的筛选条件无法识别，已忽略。" in html


def test_directory_with_search_and_filters_runs_a_constant_number_of_queries(
    client, home, django_assert_max_num_queries
):
    community = f.community(slug="budget")
    url = "/merchants/?" + urlencode([("q", "送货"), ("community", "budget"), ("has", "delivery"), ("has", "points")])

    def grow(n):
        for _ in range(n):
            f.merchant(
                community_=community,
                photo=f.image(),
                offers="老人购物免费送货",
                elderly_delivery=True,
                accepts_volunteer_points=True,
            )

    grow(3)
    small = rendered_queries(django_assert_max_num_queries, client, url, budget=SEARCH_BUDGET)
    grow(30)
    large = rendered_queries(django_assert_max_num_queries, client, url, budget=SEARCH_BUDGET)
    assert small == large
    html = client.get(url).content.decode()
    assert html.count('class="card merchant-card"') == PAGE_SIZE and "共 33 家联盟商户" in html
