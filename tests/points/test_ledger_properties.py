"""Property-based: any sequence of issue / spend / reverse / new year / expire keeps the ledger's
invariants, and the balances are what a plain model of the same sequence says."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from points import ledger
from points.ledger import LedgerError, transfer
from points.models import Account, Entry, Transfer
from tests import factories as f
from tests.properties.checks import PROPERTY_SETTINGS

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()

operations = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.integers(0, 2), st.integers(1, 10)),
        st.tuples(st.just("spend"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 25)),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
        st.tuples(st.just("new_year")),
        st.tuples(st.just("expire")),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def cast():
    residents = [f.person(name=name) for name in ("王秀兰", "李建国", "赵德明")]
    shops = [Account.for_merchant(f.merchant(accepts_volunteer_points=True)) for _ in range(2)]
    return [Account.for_person(p) for p in residents], shops, [f.moderator(), f.moderator()]


def check_invariants():
    accounts = list(Account.objects.all())
    sums = {a.pk: a.entries_sum() for a in accounts}
    for account in accounts:
        assert account.balance == sums[account.pk], account
        if account.kind == Account.Kind.RESIDENT:
            assert account.balance >= 0, account
    assert sum(sums.values()) == 0
    for record in Transfer.objects.all():
        assert sum(record.entries.values_list("amount", flat=True)) == 0, record
    assert not Entry.objects.filter(amount=0).exists()


@PROPERTY_SETTINGS
@given(sequence=operations)
def test_any_sequence_keeps_the_ledger_whole(cast, monkeypatch, sequence):
    residents, shops, (clerk, approver) = cast
    clock = {"now": datetime.datetime(2025, 3, 1, 10, tzinfo=ZONE)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    with transaction.atomic():
        model = {a.pk: 0 for a in residents}  # what a plain model says each resident holds
        transfers = []
        for number, op in enumerate(sequence):
            if op[0] == "issue":
                _, who, points = op
                account = residents[who]
                record, _created = transfer(
                    Transfer.Kind.ISSUE, [(Account.issuer(), -points), (account, points)], key=f"p-issue-{number}"
                )
                transfers.append(record)
                model[account.pk] += points
            elif op[0] == "spend":
                _, who, where, points = op
                account = residents[who]
                try:
                    record, _created = transfer(
                        Transfer.Kind.SPEND, [(account, -points), (shops[where], points)], key=f"p-spend-{number}"
                    )
                except LedgerError:
                    assert model[account.pk] < points  # refused exactly when the points are not there
                else:
                    assert model[account.pk] >= points
                    transfers.append(record)
                    model[account.pk] -= points
            elif op[0] == "reverse" and transfers:
                original = transfers[op[1] % len(transfers)]
                effect = {e.account_id: -e.amount for e in original.entries.all()}
                try:
                    record = ledger.reverse(original, reason="更正", requested_by=clerk, approved_by=approver)
                except LedgerError:
                    pass  # already reversed, a reversal itself, or the points were spent
                else:
                    transfers.append(record)
                    for pk, delta in effect.items():
                        if pk in model:
                            model[pk] += delta
            elif op[0] == "new_year":
                clock["now"] = datetime.datetime(clock["now"].year + 1, 1, 5, 9, tzinfo=ZONE)
            elif op[0] == "expire" and clock["now"].year > 2025:
                for account, points in ledger.expire_year(clock["now"].year - 1):
                    model[account.pk] -= points
            check_invariants()
            for account in residents:
                assert Account.objects.get(pk=account.pk).balance == model[account.pk]
        transaction.set_rollback(True)
