"""Honour rolls (红黑榜): one roll per period with titles, citations and a warning list."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from bulletins.models import HonourRollPage
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def quarter(year, q):
    start = datetime.date(year, 3 * q - 2, 1)
    end = (datetime.date(year + (q == 4), (3 * q) % 12 + 1, 1)) - datetime.timedelta(days=1)
    return {"period_label": f"{year}年第{'一二三四'[q - 1]}季度", "period_start": start, "period_end": end}


def test_roll_page_names_merchants_titles_and_citations(client, home):
    dongmen = f.community(name="东门社区")
    noodles = f.merchant(name="老王面馆", community_=dongmen)
    clinic = f.merchant(name="仁和中医诊所", community_=dongmen)
    barber = f.merchant(name="小李理发", community_=dongmen)
    market = f.merchant(name="惠民超市", community_=dongmen)
    roll = f.honour_roll(
        title="2026年第三季度红黑榜",
        **quarter(2026, 3),
        honours=[
            (clinic, "civilised", "公平秤，明码标价"),
            (noodles, "red_flag", "装了油烟净化器，门前三包做得最好"),
            (barber, "party_pioneer", "带头清理楼道小广告"),
            (market, "volunteer", "为独居老人免费送货 40 次"),
        ],
    )

    response = client.get(roll.url)
    html = response.content.decode()
    page = soup(response)

    assert response.status_code == 200
    assert page.h1.get_text() == "2026年第三季度红黑榜"
    assert "2026年第三季度" in html
    assert "2026年7月1日—2026年9月30日" in html
    groups = [g.h3.get_text(strip=True) for g in page.select(".red-list .honour-group")]
    assert groups == ["流动红旗", "文明诚信商户", "党员先锋商户", "最美志愿服务商户"]
    red_flag = page.select_one(".honour-group.title-red_flag")
    assert red_flag.select_one("a.merchant-name").get_text() == "老王面馆"
    assert red_flag.select_one("a.merchant-name")["href"] == f"/merchants/{noodles.pk}/"
    assert "装了油烟净化器，门前三包做得最好" in red_flag.get_text()
    assert "东门社区" in red_flag.get_text()
    assert "为独居老人免费送货 40 次" in html


def test_warning_list_shows_reason_and_whether_resolved(client, home):
    stall = f.merchant(name="张记水果摊")
    grill = f.merchant(name="夜市烧烤")
    roll = f.honour_roll(
        warnings=[(stall, "多次占道经营，经劝导未整改", False), (grill, "油烟扰民", True)],
    )

    page = soup(client.get(roll.url))
    warnings = page.select(".black-list li")

    assert page.select_one(".black-list h2").get_text() == "黑榜"
    assert "张记水果摊" in warnings[0].get_text()
    assert "原因：多次占道经营，经劝导未整改" in warnings[0].get_text()
    assert warnings[0].select_one(".status.unresolved").get_text() == "尚未整改"
    assert "夜市烧烤" in warnings[1].get_text()
    assert warnings[1].select_one(".status.resolved").get_text().startswith("已整改")


def test_empty_roll_says_so(client, home):
    roll = f.honour_roll()

    html = client.get(roll.url).content.decode()

    assert "本期暂无上榜商户" in html
    assert "本期没有警示商户" in html


def test_index_lists_live_rolls_newest_period_first_with_red_flag_holder(client, home):
    f.honour_roll(title="第二季度榜", **quarter(2026, 2), honours=[(f.merchant(name="老店"), "red_flag", "")])
    f.honour_roll(title="第三季度榜", **quarter(2026, 3), honours=[(f.merchant(name="新店"), "red_flag", "")])
    f.honour_roll(title="草稿榜", **quarter(2026, 4)).unpublish()

    response = client.get("/honour-rolls/")
    page = soup(response)

    assert response.status_code == 200
    assert [a.get_text() for a in page.select(".roll-list .card-title a")] == ["第三季度榜", "第二季度榜"]
    holders = [p.get_text(" ", strip=True) for p in page.select(".roll-list .holder-line")]
    assert holders == ["流动红旗 新店", "流动红旗 老店"]


def test_draft_roll_is_404(client, home):
    roll = f.honour_roll(slug="draft-roll")
    roll.unpublish()

    assert client.get("/honour-rolls/draft-roll/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/honour-rolls/nope/", "/honour-rolls/?page=abc", "/honour-rolls/?page=0", "/honour-rolls/?page=99999"]
)
def test_bad_slug_or_page_is_404(client, home, url):
    f.honour_roll()

    assert client.get(url).status_code == 404


def test_period_end_before_start_is_invalid(home):

    roll = HonourRollPage(
        title="错榜",
        slug="bad",
        period_label="x",
        period_start=datetime.date(2026, 9, 30),
        period_end=datetime.date(2026, 7, 1),
    )
    with pytest.raises(ValidationError):
        roll.clean()


# --- Query budgets ------------------------------------------------------------------


def _grow_rolls(count):
    for n in range(count):
        c = f.community()
        f.honour_roll(
            period_label=f"第{n}期",
            period_start=datetime.date(2024, 1, 1),
            period_end=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            honours=[(f.merchant(community_=c), "red_flag", "好"), (f.merchant(community_=c), "civilised", "好")],
            warnings=[(f.merchant(community_=c), "占道", False)],
        )


def test_index_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    _grow_rolls(2)

    small = rendered_queries(django_assert_max_num_queries, client, "/honour-rolls/", budget=16)
    _grow_rolls(14)
    large = rendered_queries(django_assert_max_num_queries, client, "/honour-rolls/", budget=16)

    assert small == large


def test_roll_page_query_budget_is_fixed(client, home, django_assert_max_num_queries):
    def entries(n):
        return [(f.merchant(community_=f.community()), title, "好") for title in ("red_flag", "civilised") * n]

    small_roll = f.honour_roll(honours=entries(1), warnings=[(f.merchant(), "占道", False)])
    big_roll = f.honour_roll(
        honours=entries(15), warnings=[(f.merchant(community_=f.community()), "占道", n % 2 == 0) for n in range(10)]
    )

    small = rendered_queries(django_assert_max_num_queries, client, small_roll.url, budget=16)
    large = rendered_queries(django_assert_max_num_queries, client, big_roll.url, budget=16)

    assert small == large
