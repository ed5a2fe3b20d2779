"""响应率, 解决率, 满意率 on a small hand-made set of cases; the period form; the XLSX export."""

import datetime
import io
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casework import stats
from casework.models import CaseEvent, GrievanceReport
from portal.spreadsheets import spreadsheet_text
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SH)


RATINGS = {"满意": "satisfied", "基本满意": "basically", "不满意": "unsatisfied"}


def event(report, action, when, note=""):
    # A rate event carries its rating as casework.rate records it.
    rating = RATINGS[note.split()[0]] if action == "rate" else ""
    CaseEvent.objects.create(
        report=report, action=action, to_state=report.state, created_at=when, note=note, rating=rating
    )


@pytest.fixture
def october(world):
    """The standard world with October 2026's cases, each chosen to count differently."""
    gx, gy = world["grid_a"], world["grid_y"]

    def case(grid, category, created, accept_due, **kwargs):
        return f.case(grid, category_slug=category, created_at=created, accept_due=accept_due, **kwargs)

    # 东门: answered in time, resolved, rated 满意.
    c1 = case(gx, "noise", at(10, 5), at(10, 5, 13), state=S.RESOLVED, accepted_at=at(10, 5, 12), resolved_at=at(10, 8))
    event(c1, "accept", at(10, 5, 12))
    event(c1, "rate", at(10, 9), "满意 处理很快")
    # 东门: accepted late, not resolved; submitted late on the last evening of the period.
    c2 = case(
        gx,
        "noise",
        at(10, 31, 23, 30),
        at(11, 2, 10),
        state=S.IN_PROGRESS,
        accepted_at=at(11, 3),
        resolve_due=at(11, 10),
    )
    event(c2, "accept", at(11, 3))
    # 东门: declined in time.
    c3 = case(gx, "cooking_fumes", at(10, 6), at(10, 6, 14), state=S.DECLINED)
    event(c3, "decline", at(10, 6, 11), "不属于社区管辖")
    # 西门: never answered.
    case(gy, "cooking_fumes", at(10, 7), at(10, 7, 14))
    # 西门: in time, resolved after a reopen; rated 不满意 first, then 基本满意.
    c5 = case(gy, "cooking_fumes", at(10, 8), at(10, 8, 14), state=S.RESOLVED, accepted_at=at(10, 8, 9))
    GrievanceReport.objects.filter(pk=c5.pk).update(resolved_at=at(10, 20), rating="basically")
    event(c5, "accept", at(10, 8, 9))
    event(c5, "rate", at(10, 12), "不满意 还是很吵")
    event(c5, "rate", at(10, 21), "基本满意")
    # Outside the period: the day before and the first minutes after.
    case(gx, "noise", at(9, 30, 23), at(10, 1, 10))
    case(gx, "noise", at(11, 1, 0, 10), at(11, 1, 10))
    return world


def by_name(rows):
    return {row.name: row for row in rows}


def figures(row):
    return (row.total, row.responded, row.accepted, row.resolved, row.rated, row.satisfied)


def test_rates_per_community_and_category(october, django_user_model):
    root = django_user_model.objects.create_superuser("root", "r@example.cn", "x")
    result = stats.case_rates(root, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    communities = by_name(result["communities"])
    assert figures(communities["东门社区"]) == (3, 2, 2, 1, 1, 1)
    assert figures(communities["西门社区"]) == (2, 1, 1, 1, 2, 1)
    categories = by_name(result["categories"])
    assert figures(categories["噪音扰民"]) == (2, 1, 2, 1, 1, 1)
    assert figures(categories["油烟扰民"]) == (3, 2, 1, 1, 2, 1)
    total = result["total"]
    assert figures(total) == (5, 3, 3, 2, 3, 2)
    assert (total.response_due, total.resolution_due) == (5, 3)  # every deadline of October has passed
    assert total.response_rate == pytest.approx(3 / 5)
    assert total.resolution_rate == pytest.approx(2 / 3)
    assert total.satisfaction_rate == pytest.approx(2 / 3)
    assert list(categories) == ["噪音扰民", "油烟扰民"]  # category sort order


def test_moderator_counts_only_their_communities(october):
    result = stats.case_rates(october["mod_x"], datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert [row.name for row in result["communities"]] == ["东门社区"]
    assert result["total"].total == 3


def test_empty_denominators_show_a_dash(october, client):
    client.force_login(october["mod_x"])
    content = client.get(reverse("casework:stats"), {"start": "2025-01-01", "end": "2025-01-31"}).content.decode()
    assert "这个时段没有诉求" in content
    assert stats.percent(None) == "—"


def test_stats_page_shows_rates(october, client):
    client.force_login(october["mod_x"])
    response = client.get(reverse("casework:stats"), {"start": "2026-10-01", "end": "2026-10-31"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "东门社区" in content and "西门社区" not in content
    assert 'data-rate="response">66.7%<' in content  # 东门 responded 2 of 3 in time
    assert "导出 XLSX" in content


@pytest.mark.parametrize(
    "params,message",
    [
        ({"start": "2026-13-01", "end": "2026-10-31"}, "开始日期格式不对"),
        ({"start": "2026-10-01", "end": "yesterday"}, "结束日期格式不对"),
        ({"start": "2026-10-31", "end": "2026-10-01"}, "结束日期不能早于开始日期"),
        ({"start": "", "end": "2026-10-01"}, "请填写开始日期"),
    ],
)
def test_bad_dates_get_a_field_error(october, client, params, message):
    client.force_login(october["mod_x"])
    response = client.get(reverse("casework:stats"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    export = client.get(reverse("casework:stats_export"), params)
    assert export.status_code == 302


def test_default_period_is_this_month(october, client):
    client.force_login(october["mod_x"])
    response = client.get(reverse("casework:stats"))
    assert response.status_code == 200 and "按社区" in response.content.decode()


def test_xlsx_export_neutralises_formulas_and_keeps_markup_as_text(october, client, django_user_model):
    october["x"].name = '=HYPERLINK("http://evil.example","点我")'
    october["x"].save()
    october["y"].name = "<script>alert(1)</script>"
    october["y"].save()
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    response = client.get(reverse("casework:stats_export"), {"start": "2026-10-01", "end": "2026-10-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        'attachment; filename="shangju-case-rates-20261001-20261031.xlsx"; '
        f"filename*=UTF-8''{quote('工单统计 2026年10月1日至2026年10月31日.xlsx')}"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["按社区"]
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","点我")' in names
    assert "<script>alert(1)</script>" in names
    assert all(not str(name).startswith("=") for name in names)
    values = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["合计"][1:5] == (5, 5, 3, pytest.approx(0.6))
    assert workbook["按类别"].cell(row=3, column=1).value == "噪音扰民"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "正常文字"])
def test_spreadsheet_text(value):
    neutral = spreadsheet_text(value)
    assert neutral == (value if value == "正常文字" else "'" + value)


# --- Issue 10, item 13: the date round trip, cases not yet due, numeric XLSX rates ---------------


def test_the_dates_the_page_renders_are_dates_it_accepts(october, client):
    """The date inputs get ISO values (what <input type=date> takes); sent back as they are, they count."""
    client.force_login(october["mod_x"])
    page = client.get(reverse("casework:stats")).content.decode()
    values = dict(re.findall(r'<input type="date" name="(start|end)" value="([^"]*)"', page))
    assert set(values) == {"start", "end"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) for value in values.values()), values
    again = client.get(reverse("casework:stats"), values).content.decode()
    assert "请填写开始日期" not in again and "统计时段有误" not in again
    assert "按社区" in again


@pytest.mark.parametrize("start", ["2026-10-01", "2026/10/01", "2026年10月1日"])
def test_the_period_form_takes_iso_and_what_people_type(start):
    form = stats.PeriodForm({"start": start, "end": "2026-10-31"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == datetime.date(2026, 10, 1)


@pytest.fixture
def worked_example(world):
    """Five cases of 2 December 2026 in 东门社区, seen at 15:00 that day.

    响应: A accepted in time; B declined after its deadline; C never answered, deadline passed;
    D not answered, deadline still ahead (neither success nor failure); E accepted early, deadline ahead.
    → 2 on time of 4 due: 50% (the old rule said 2 of 5, 40%).
    解决: A resolved; E accepted, resolve deadline ahead (not yet due) → 1 of 1: 100% (old: 1 of 2).
    """
    grid = world["grid_a"]
    day = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=SH)
    hours = datetime.timedelta(hours=1)

    def case(name, accept_in, **kwargs):
        kwargs.setdefault("resolve_due", day + 100 * hours)
        return f.case(grid, created_at=day, accept_due=day + accept_in * hours, address=name, **kwargs)

    a = case("A", 4, state=S.RESOLVED, accepted_at=day + hours, resolved_at=day + 3 * hours)
    event(a, "accept", day + hours)
    b = case("B", 2, state=S.DECLINED)
    event(b, "decline", day + 5 * hours)
    case("C", 4)
    case("D", 8)
    e = case("E", 8, state=S.IN_PROGRESS, accepted_at=day + 2 * hours)
    event(e, "accept", day + 2 * hours)
    return {**world, "now": day + 6 * hours}


def test_worked_example_cases_inside_their_deadline_count_neither_way(worked_example):
    result = stats.case_rates(
        worked_example["mod_x"], datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), now=worked_example["now"]
    )
    total = result["total"]
    assert (total.total, total.response_due, total.responded) == (5, 4, 2)
    assert total.response_rate == pytest.approx(0.5)
    assert (total.accepted, total.resolution_due, total.resolved) == (2, 1, 1)
    assert total.resolution_rate == pytest.approx(1.0)


def test_stats_page_says_how_not_yet_due_cases_are_counted(worked_example, client, monkeypatch):
    monkeypatch.setattr(stats.timezone, "now", lambda: worked_example["now"])
    client.force_login(worked_example["mod_x"])
    content = client.get(reverse("casework:stats"), {"start": "2026-12-01", "end": "2026-12-31"}).content.decode()
    assert "尚在受理期限内" in content  # the definition, on the page
    assert 'data-rate="response">50.0%<' in content
    assert 'data-rate="resolution">100.0%<' in content


def test_xlsx_rates_are_numbers_formatted_as_percent(worked_example, client, monkeypatch):
    monkeypatch.setattr(stats.timezone, "now", lambda: worked_example["now"])
    client.force_login(worked_example["mod_x"])
    response = client.get(reverse("casework:stats_export"), {"start": "2026-12-01", "end": "2026-12-31"})
    sheet = load_workbook(io.BytesIO(response.content))["按社区"]
    headings = [cell.value for cell in sheet[2]]
    total = {heading: cell for heading, cell in zip(headings, sheet[4], strict=True)}
    assert total["名称"].value == "合计"
    for heading, expected in (("响应率", 0.5), ("解决率", 1.0)):
        cell = total[heading]
        assert cell.data_type == "n" and cell.value == pytest.approx(expected), heading
        assert cell.number_format == "0.0%", heading
    assert total["满意率"].value == "—"  # nothing rated: no rate, not 0%
    assert total["应响应"].value == 4 and total["按时响应"].value == 2
