"""What casework already knows about each shop, shown to raters beside its result and on its sheet:
the grievance cases staff linked to the shop (GrievanceReport.merchant) reported in the round's
period, whether each was resolved (办结) and how the reporter rated it. One query for all shops."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from casework.models import GOOD_RATINGS, RATEABLE_STATES, GrievanceReport, Rating


@dataclass
class ShopCases:
    cases: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.cases)

    @property
    def resolved(self):
        return sum(1 for case in self.cases if case.state in RATEABLE_STATES)

    @property
    def rated(self):
        return sum(1 for case in self.cases if case.rating)

    @property
    def satisfied(self):
        return sum(1 for case in self.cases if case.rating in GOOD_RATINGS)

    @property
    def unsatisfied(self):
        return sum(1 for case in self.cases if case.rating == Rating.UNSATISFIED)


def period(round_):
    """From the first day of the quarter scoring opens in to the end of the closing day (Asia/Shanghai)."""
    opens = round_.opens_on
    first = datetime.date(opens.year, 3 * ((opens.month - 1) // 3) + 1, 1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(round_.closes_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return first, round_.closes_on, start, end


def cases_by_shop(round_, shop_ids):
    """{merchant id: ShopCases} for the given shops, every shop present (empty when none)."""
    _first, _last, start, end = period(round_)
    found = {pk: ShopCases() for pk in shop_ids}
    reports = (
        GrievanceReport.objects.filter(merchant_id__in=list(shop_ids), created_at__gte=start, created_at__lt=end)
        .select_related("category")
        .only("pk", "reference", "state", "rating", "created_at", "merchant_id", "category__name")
        .order_by("created_at", "pk")
    )
    for report in reports:
        found[report.merchant_id].cases.append(report)
    return found
