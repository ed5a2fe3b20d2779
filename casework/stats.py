"""The three figures every alliance reports: 响应率, 解决率, 满意率.

For the cases *submitted* in a period (created_at from the first day 00:00 to the last
day 24:00, Beijing time), per community and per category:

- 响应率 (response rate) = cases accepted or declined no later than their accept_due
  (the time of the `accept` / `decline` case event) ÷ all cases submitted in the period.
  Cases still waiting, answered late, or marked duplicate count in the denominator only.
- 解决率 (resolution rate) = cases accepted in the period's cohort that are resolved now
  (resolved_at set; a reopened case is not resolved until resolved again) ÷ cases of the
  cohort that were accepted (accepted_at set).
- 满意率 (satisfaction rate) = ratings 满意 + 基本满意 ÷ all ratings given on the cohort's
  cases. Counted from the `rate` case events, not the case's rating field: an 不满意
  rating reopens the case and clears that field, and it must still count against the rate.

A rate with a zero denominator is shown as "—", not 0%.
"""

import datetime
from collections import defaultdict

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.spreadsheets import xlsx_bytes

from .models import GOOD_RATINGS, CaseEvent, GrievanceReport

MAX_PERIOD_DAYS = 366 * 3


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写开始日期。"),
            "invalid": gettext_lazy("开始日期格式不对，例如 2026-11-01。"),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写结束日期。"),
            "invalid": gettext_lazy("结束日期格式不对，例如 2026-11-30。"),
        },
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("统计时段最长三年。"))
        return cleaned


def default_period(today=None):
    today = today or timezone.localdate()
    return today.replace(day=1), today


def _bounds(start, end):
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def rate(numerator, denominator):
    return None if not denominator else numerator / denominator


class Row:
    def __init__(self, name):
        self.name = name
        self.total = self.responded = self.accepted = self.resolved = self.rated = self.satisfied = 0

    @property
    def response_rate(self):
        return rate(self.responded, self.total)

    @property
    def resolution_rate(self):
        return rate(self.resolved, self.accepted)

    @property
    def satisfaction_rate(self):
        return rate(self.satisfied, self.rated)


def case_rates(user, start, end):
    """{'communities': [Row], 'categories': [Row], 'total': Row} for cases submitted in [start, end]."""
    low, high = _bounds(start, end)
    # Moderators count the cases of their communities; superusers all.
    cases = GrievanceReport.objects.moderated_by(user).filter(created_at__gte=low, created_at__lt=high)
    in_time = CaseEvent.objects.filter(
        report=OuterRef("pk"),
        action__in=[CaseEvent.Action.ACCEPT, CaseEvent.Action.DECLINE],
        created_at__lte=OuterRef("accept_due"),
    )
    rows = cases.annotate(responded=Exists(in_time)).values_list(
        "pk", "community__name", "category__name", "category__sort_order", "responded", "accepted_at", "resolved_at"
    )
    ratings = defaultdict(lambda: [0, 0])
    for report_id, rating in CaseEvent.objects.filter(report__in=cases, action=CaseEvent.Action.RATE).values_list(
        "report_id", "rating"
    ):
        ratings[report_id][0] += 1
        ratings[report_id][1] += rating in GOOD_RATINGS

    communities, categories, order = {}, {}, {}
    total = Row(_("合计"))
    for pk, community, category, sort_order, responded, accepted_at, resolved_at in rows:
        order[category] = sort_order
        rated, satisfied = ratings.get(pk, (0, 0))
        for row in (
            communities.setdefault(community, Row(community)),
            categories.setdefault(category, Row(category)),
            total,
        ):
            row.total += 1
            row.responded += bool(responded)
            row.accepted += accepted_at is not None
            row.resolved += accepted_at is not None and resolved_at is not None
            row.rated += rated
            row.satisfied += satisfied
    return {
        "communities": [communities[name] for name in sorted(communities)],
        "categories": sorted(categories.values(), key=lambda row: (order[row.name], row.name)),
        "total": total,
    }


def percent(value):
    return "—" if value is None else f"{value:.1%}"


def rates_workbook(result, start, end):
    """The rates as an XLSX file (bytes): one sheet per community, one per category."""
    headings = [
        _("名称"),
        _("诉求数"),
        _("按时响应"),
        _("响应率"),
        _("已受理"),
        _("已办结"),
        _("解决率"),
        _("评价数"),
        _("满意及基本满意"),
        _("满意率"),
    ]
    sheets = []
    for title, rows in [(_("按社区"), result["communities"]), (_("按类别"), result["categories"])]:
        lines = [[_("统计时段"), f"{start:%Y-%m-%d} — {end:%Y-%m-%d}"], headings]
        for row in [*rows, result["total"]]:
            lines.append(
                [
                    str(row.name),
                    row.total,
                    row.responded,
                    percent(row.response_rate),
                    row.accepted,
                    row.resolved,
                    percent(row.resolution_rate),
                    row.rated,
                    row.satisfied,
                    percent(row.satisfaction_rate),
                ]
            )
        sheets.append((title, lines))
    # Community and category names are typed by staff: portal.spreadsheets makes every cell safe.
    return xlsx_bytes(sheets)
