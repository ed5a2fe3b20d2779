"""The three figures every alliance reports: 响应率, 解决率, 满意率.

For the cases *submitted* in a period (created_at from the first day 00:00 to the last
day 24:00, Beijing time), per community and per category. A case still inside a deadline it
has not yet met is neither a success nor a failure of that deadline: it counts in neither the
numerator nor the denominator until it is answered (resolved) or the deadline passes.

- 响应率 (response rate) = cases accepted or declined no later than their accept_due
  (the time of the `accept` / `decline` case event) ÷ cases whose answer was due: those no
  longer waiting to be accepted (answered, in time or late, or marked duplicate) and those
  still waiting past their accept_due.
- 解决率 (resolution rate) = cases of the cohort accepted and resolved now (resolved_at set; a
  reopened case is not resolved until resolved again) ÷ accepted cases whose resolution was
  due: resolved, or unresolved past their resolve_due.
- 满意率 (satisfaction rate) = ratings 满意 + 基本满意 ÷ all ratings given on the cohort's
  cases. Counted from the `rate` case events, not the case's rating field: an 不满意
  rating reopens the case and clears that field, and it must still count against the rate.

A rate with a zero denominator is shown as "—", not 0%; in the XLSX export rates are numbers
with a percent format, so they can be summed and charted.
"""

import datetime
from collections import defaultdict

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.spreadsheets import Formatted, xlsx_bytes

from .models import GOOD_RATINGS, CaseEvent, GrievanceReport, State

MAX_PERIOD_DAYS = 366 * 3
# <input type="date"> shows and sends only this; the field also takes the locale's formats.
ISO_DATE = "%Y-%m-%d"
PERCENT_FORMAT = "0.0%"


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写开始日期。"),
            "invalid": gettext_lazy("开始日期格式不对，例如 2026-11-01。"),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
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
        self.total = self.response_due = self.responded = 0
        self.accepted = self.resolution_due = self.resolved = 0
        self.rated = self.satisfied = 0

    @property
    def response_pending(self):
        """Cases still inside their acceptance deadline, not yet answered: counted neither way."""
        return self.total - self.response_due

    @property
    def response_rate(self):
        return rate(self.responded, self.response_due)

    @property
    def resolution_rate(self):
        return rate(self.resolved, self.resolution_due)

    @property
    def satisfaction_rate(self):
        return rate(self.satisfied, self.rated)

    def add(self, case, rated, satisfied):
        self.total += 1
        self.response_due += case["response_due"]
        self.responded += case["responded"]
        self.accepted += case["accepted"]
        self.resolution_due += case["resolution_due"]
        self.resolved += case["resolved"]
        self.rated += rated
        self.satisfied += satisfied


def case_rates(user, start, end, now=None):
    """{'communities': [Row], 'categories': [Row], 'total': Row} for cases submitted in [start, end],
    with deadlines judged at `now`."""
    now = now or timezone.now()
    low, high = _bounds(start, end)
    # Moderators count the cases of their communities; superusers all.
    cases = GrievanceReport.objects.moderated_by(user).filter(created_at__gte=low, created_at__lt=high)
    in_time = CaseEvent.objects.filter(
        report=OuterRef("pk"),
        action__in=[CaseEvent.Action.ACCEPT, CaseEvent.Action.DECLINE],
        created_at__lte=OuterRef("accept_due"),
    )
    rows = cases.annotate(responded=Exists(in_time)).values_list(
        "pk",
        "community__name",
        "category__name",
        "category__sort_order",
        "state",
        "accept_due",
        "resolve_due",
        "responded",
        "accepted_at",
        "resolved_at",
    )
    ratings = defaultdict(lambda: [0, 0])
    for report_id, rating in CaseEvent.objects.filter(report__in=cases, action=CaseEvent.Action.RATE).values_list(
        "report_id", "rating"
    ):
        ratings[report_id][0] += 1
        ratings[report_id][1] += rating in GOOD_RATINGS

    communities, categories, order = {}, {}, {}
    total = Row(_("合计"))
    for (
        pk,
        community,
        category,
        sort_order,
        state,
        accept_due,
        resolve_due,
        responded,
        accepted_at,
        resolved_at,
    ) in rows:
        order[category] = sort_order
        accepted, resolved = accepted_at is not None, accepted_at is not None and resolved_at is not None
        case = {
            # No transition leads back to 待受理: a case in any other state has been answered.
            "response_due": state != State.SUBMITTED or accept_due <= now,
            "responded": bool(responded),
            "accepted": accepted,
            "resolution_due": resolved or (accepted and resolve_due <= now),
            "resolved": resolved,
        }
        rated, satisfied = ratings.get(pk, (0, 0))
        for row in (
            communities.setdefault(community, Row(community)),
            categories.setdefault(category, Row(category)),
            total,
        ):
            row.add(case, rated, satisfied)
    return {
        "communities": [communities[name] for name in sorted(communities)],
        "categories": sorted(categories.values(), key=lambda row: (order[row.name], row.name)),
        "total": total,
    }


def percent(value):
    return "—" if value is None else f"{value:.1%}"


HEADINGS = [
    gettext_lazy("名称"),
    gettext_lazy("诉求数"),
    gettext_lazy("应响应"),
    gettext_lazy("按时响应"),
    gettext_lazy("响应率"),
    gettext_lazy("已受理"),
    gettext_lazy("应办结"),
    gettext_lazy("已办结"),
    gettext_lazy("解决率"),
    gettext_lazy("评价数"),
    gettext_lazy("满意及基本满意"),
    gettext_lazy("满意率"),
]


def _cells(row):
    """One row of the export: counts as numbers, rates as fractions (formatted as percent) or "—"."""
    return [
        str(row.name),
        row.total,
        row.response_due,
        row.responded,
        row.response_rate,
        row.accepted,
        row.resolution_due,
        row.resolved,
        row.resolution_rate,
        row.rated,
        row.satisfied,
        row.satisfaction_rate,
    ]


RATE_COLUMNS = frozenset(index for index, heading in enumerate(HEADINGS) if str(heading).endswith("率"))


def rates_workbook(result, start, end):
    """The rates as an XLSX file (bytes): one sheet per community, one per category."""
    sheets = []
    for title, rows in [(_("按社区"), result["communities"]), (_("按类别"), result["categories"])]:
        lines = [[_("统计时段"), f"{start:%Y-%m-%d} — {end:%Y-%m-%d}"], [str(heading) for heading in HEADINGS]]
        for row in [*rows, result["total"]]:
            cells = ["—" if value is None else value for value in _cells(row)]
            for column in RATE_COLUMNS:
                if isinstance(cells[column], float):
                    cells[column] = Formatted(cells[column], PERCENT_FORMAT)
            lines.append(cells)
        sheets.append((title, lines))
    # Community and category names are typed by staff: portal.spreadsheets makes every cell safe.
    return xlsx_bytes(sheets)
