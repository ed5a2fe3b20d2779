"""The public member directory at /merchants/ and each member's page."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Merchant
from alliance.views import PAGE_SIZE
from tests import factories as f

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
    with django_assert_max_num_queries(DIRECTORY_BUDGET):
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
