"""The result of a round, computed from its sheets in three queries whatever the number of shops
and sheets: the round's shops, and one grouped sum of the scores per shop and party.

The rule, as the result page states it:

- a party's score for a shop (百分制) = Σ over the six dimensions of (the party's average score on
  the dimension ÷ the scale's maximum × the dimension's weight);
- the overall score = Σ over the parties that count of (party score × party weight) ÷ the sum of
  those parties' weights. The community and the chamber count with at least one sheet; residents
  count with at least the round's minimum number of sheets. A party that does not count has its
  weight shared among the others in proportion to their weights;
- party scores and the overall score are rounded half up to two decimals, and the overall score is
  computed from the rounded party scores, so a shop can redo the sum from the page;
- shops are ranked by the overall score shown; equal scores share a rank and the next rank is
  skipped (1, 2, 2, 4); shops sharing a rank are listed by name. A shop no party counts for has no
  result and no rank.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from .models import DIMENSIONS, PARTIES, Party, ScoreSheet

CENT = Decimal("0.01")


def rounded(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class DimensionLine:
    dimension: object
    weight: int
    average: Decimal | None  # exact; the page shows two decimals
    points: Decimal | None  # average ÷ scale × weight, exact


@dataclass
class PartyResult:
    party: str
    weight: int
    sheets: int
    minimum: int
    lines: list = field(default_factory=list)
    score: Decimal | None = None  # rounded to two decimals
    effective_weight: Decimal | None = None  # after a missing party's weight is shared out, percent

    @property
    def label(self):
        return Party(self.party).label

    @property
    def counts(self):
        return self.sheets >= self.minimum and self.sheets > 0


@dataclass
class ShopResult:
    merchant: object
    parties: list
    overall: Decimal | None = None
    rank: int | None = None
    tied: bool = False

    @property
    def counted_parties(self):
        return [p for p in self.parties if p.counts]

    @property
    def counted_weight(self):
        return sum(p.weight for p in self.counted_parties)

    @property
    def weights_redistributed(self):
        return any(not p.counts for p in self.parties) and self.overall is not None

    @property
    def rows(self):
        """(dimension, weight, [each party's line]) per dimension: the table a shop checks."""
        return [
            (line.dimension, line.weight, [party.lines[i] for party in self.parties])
            for i, line in enumerate(self.parties[0].lines)
        ]

    @property
    def sheet_count(self):
        return sum(p.sheets for p in self.parties)


def party_minimum(round_, party):
    return max(round_.min_resident_scores, 1) if party == Party.RESIDENT else 1


def compute(round_):
    """Every shop of the round with its computation, ranked; shops without a result come last."""
    shops = list(round_.shops.order_by("name", "pk"))
    sums = {}
    rows = (
        ScoreSheet.objects.filter(round=round_)
        .values("merchant_id", "party")
        .annotate(sheets=Count("pk"), **{f"sum_{d.key}": Sum(d.key) for d in DIMENSIONS})
        .order_by()
    )
    for row in rows:
        sums[(row["merchant_id"], row["party"])] = row
    results = [shop_result(round_, shop, sums) for shop in shops]
    return rank(results)


def shop_result(round_, shop, sums):
    scale = Decimal(round_.scale_max)
    parties = []
    for party in PARTIES:
        row = sums.get((shop.pk, party))
        result = PartyResult(
            party=party,
            weight=round_.party_weight(party),
            sheets=row["sheets"] if row else 0,
            minimum=party_minimum(round_, party),
        )
        total = Decimal(0)
        for dimension in DIMENSIONS:
            weight = round_.dimension_weight(dimension.key)
            if row:
                average = Decimal(row[f"sum_{dimension.key}"]) / Decimal(row["sheets"])
                points = average / scale * weight
                total += points
            else:
                average = points = None
            result.lines.append(DimensionLine(dimension, weight, average, points))
        if row:
            result.score = rounded(total)
        parties.append(result)
    outcome = ShopResult(merchant=shop, parties=parties)
    counted = outcome.counted_parties
    weight = sum(p.weight for p in counted)
    if counted and weight:
        outcome.overall = rounded(sum(p.score * p.weight for p in counted) / Decimal(weight))
        for p in counted:
            p.effective_weight = rounded(Decimal(p.weight) * 100 / Decimal(weight))
    return outcome


def rank(results):
    scored = sorted((r for r in results if r.overall is not None), key=lambda r: (-r.overall, r.merchant.name))
    previous, position = None, 0
    for index, result in enumerate(scored, start=1):
        if result.overall != previous:
            position, previous = index, result.overall
        result.rank = position
    counts = {}
    for result in scored:
        counts[result.rank] = counts.get(result.rank, 0) + 1
    for result in scored:
        result.tied = counts[result.rank] > 1
    return scored + [r for r in results if r.overall is None]
