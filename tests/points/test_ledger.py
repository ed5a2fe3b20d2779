"""The ledger: double entry, append-only (in the database and in the ORM), idempotent, reconciled."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from points import ledger
from points.ledger import LedgerError, transfer
from points.models import Account, AppendOnlyError, Entry, Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    return f.person(name="王秀兰")


def balance(person):
    return Account.for_person(person).balance


def test_a_transfer_writes_entries_that_sum_to_zero_and_moves_balances(resident):
    record = f.give_points(resident, 5)
    assert sorted(record.entries.values_list("amount", flat=True)) == [-5, 5]
    assert balance(resident) == 5 and Account.issuer().balance == -5
    assert Account.for_person(resident).entries_sum() == 5


def test_a_transfer_must_balance():
    issuer = Account.issuer()
    with pytest.raises(LedgerError, match="收支相抵"):
        transfer(Transfer.Kind.ISSUE, [(issuer, -5)], key="unbalanced")
    assert not Transfer.objects.exists()


def test_the_same_key_moves_points_once(resident):
    moves = [(Account.issuer(), -3), (Account.for_person(resident), 3)]
    first, created = transfer(Transfer.Kind.ISSUE, moves, key="issue:1:1")
    again, created_again = transfer(Transfer.Kind.ISSUE, moves, key="issue:1:1")
    assert created and not created_again and first.pk == again.pk and balance(resident) == 3


def test_a_resident_never_goes_below_zero(resident):
    f.give_points(resident, 2)
    shop = Account.for_merchant(f.merchant(accepts_volunteer_points=True))
    with pytest.raises(LedgerError, match="积分不足：现有 2 分，需要 3 分"):
        transfer(Transfer.Kind.SPEND, [(Account.for_person(resident), -3), (shop, 3)], key="too-much")
    assert balance(resident) == 2 and Transfer.objects.count() == 1


def test_the_database_refuses_a_negative_resident_balance_whatever_code_runs(resident):
    account = Account.for_person(resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


def test_the_orm_refuses_to_change_or_delete_ledger_rows(resident):
    record = f.give_points(resident, 4)
    entry = record.entries.first()
    entry.amount = 400
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(amount=400)
    with pytest.raises(AppendOnlyError):
        Transfer.objects.all().delete()
    assert Entry.objects.get(pk=entry.pk).amount in (4, -4)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE points_entry SET amount = 1000",
        "DELETE FROM points_entry",
        "UPDATE points_transfer SET memo = 'changed'",
        "DELETE FROM points_transfer",
    ],
)
def test_the_database_itself_refuses_update_and_delete(resident, sql):
    f.give_points(resident, 4)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-4, 4]


def test_a_reversal_mirrors_the_transfer_once_with_a_reason_and_a_second_person(resident):
    clerk, approver = f.moderator(), f.moderator()
    record = f.give_points(resident, 4)
    with pytest.raises(LedgerError, match="理由"):
        ledger.reverse(record, reason=" ", requested_by=clerk, approved_by=approver)
    with pytest.raises(LedgerError, match="另一位工作人员"):
        ledger.reverse(record, reason="重复发放", requested_by=clerk, approved_by=clerk)
    reversal = ledger.reverse(record, reason="重复发放", requested_by=clerk, approved_by=approver)
    assert reversal.reverses == record and reversal.reason == "重复发放" and reversal.approved_by == approver
    assert balance(resident) == 0 and Account.issuer().balance == 0
    with pytest.raises(LedgerError, match="已经冲正过了"):
        ledger.reverse(record, reason="again", requested_by=clerk, approved_by=approver)
    with pytest.raises(LedgerError, match="不能再冲正"):
        ledger.reverse(reversal, reason="again", requested_by=clerk, approved_by=approver)


def test_a_reversal_that_would_take_spent_points_is_refused(resident):
    record = f.give_points(resident, 4)
    shop = Account.for_merchant(f.merchant(accepts_volunteer_points=True))
    transfer(Transfer.Kind.SPEND, [(Account.for_person(resident), -3), (shop, 3)], key="spent")
    with pytest.raises(LedgerError, match="积分不足"):
        ledger.reverse(record, reason="发错了", requested_by=f.moderator(), approved_by=f.moderator())


def test_points_of_last_year_expire_once_and_new_points_stay(resident, monkeypatch):
    shop = Account.for_merchant(f.merchant(accepts_volunteer_points=True))
    zone = timezone.get_current_timezone()
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2025, 6, 1, 10, tzinfo=zone))
    f.give_points(resident, 10)
    transfer(Transfer.Kind.SPEND, [(Account.for_person(resident), -4), (shop, 4)], key="spent-2025")
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 1, 10, 9, tzinfo=zone))
    f.give_points(resident, 3)
    expired = ledger.expire_year(2025)
    assert [(account.person, points) for account, points in expired] == [(resident, 6)]
    assert ledger.expire_year(2025) == []
    monkeypatch.undo()
    assert balance(resident) == 3
    with pytest.raises(LedgerError, match="还没有结束"):
        ledger.expire_year(timezone.localdate().year)


def test_reconcile_finds_nothing_in_a_healthy_ledger_and_exits_zero(resident):
    f.give_points(resident, 4)
    out = io.StringIO()
    call_command("reconcile_points", stdout=out)
    assert "一致" in out.getvalue()


def test_reconcile_reports_a_stored_balance_that_drifted_and_exits_non_zero(resident):
    f.give_points(resident, 4)
    Account.objects.filter(person=resident).update(balance=7)  # what a bug or a hand edit would do
    assert any("balance 7, entries sum 4" in line for line in ledger.reconcile())
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_points", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 1


@pytest.mark.parametrize("valid_years,expired_points", [(1, 6), (2, 0)])
def test_the_expiry_command_follows_the_valid_years_setting(
    resident, monkeypatch, settings, valid_years, expired_points
):
    settings.POINTS_VALID_YEARS = valid_years
    zone = timezone.get_current_timezone()
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2025, 6, 1, 10, tzinfo=zone))
    f.give_points(resident, 6)
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 1, 2, 3, tzinfo=zone))
    out = io.StringIO()
    call_command("expire_points", stdout=out)
    assert balance(resident) == 6 - expired_points
    assert f"共 {expired_points} 分回收到联盟积分池" in out.getvalue()
