"""Never lost, never doubled: many confirmations at once against a balance that allows only k of them,
half of them presenting one shared code. Exactly k go through, the balance never drops below zero,
every transfer sums to zero, the shared code works at most once, and nobody meets "database is locked".

On PostgreSQL: 200 confirmations from 50 concurrent connections (the shared server allows 100), 20 times;
tests/faults/test_spend_storm.py sends 200 at once through gunicorn to a private cluster that takes them all.
On SQLite (the embedded settings: WAL, IMMEDIATE transactions, a busy timeout): 40 threads at once, 20 times.
"""

import queue
import threading

import pytest
from django.db import connection

from points import spending
from points.ledger import LedgerError, reconcile
from points.models import Account, SpendCode, Transfer
from tests import factories as f
from tests.threads import many_connections

# serialized_rollback: the flush after each test must not re-create content types (see tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
POINTS_PER_CODE = 2


def run_round(merchants, threads, requests, k):
    """One round: a fresh resident with k codes' worth of points, `requests` confirmations in `threads` threads."""
    resident = f.person(name="王秀兰")
    f.give_points(resident, k * POINTS_PER_CODE)
    distinct = [spending.issue_code(resident, POINTS_PER_CODE)[1] for _ in range(requests // 2)]
    shared = spending.issue_code(resident, POINTS_PER_CODE)[1]
    work = queue.Queue()
    for number in range(requests):
        code = distinct[number // 2] if number % 2 == 0 else shared
        work.put((code, merchants[number % len(merchants)]))
    outcomes, errors = [], []
    barrier = threading.Barrier(threads)

    def worker():
        try:
            barrier.wait(timeout=60)
            while True:
                try:
                    code, merchant = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    record = spending.confirm(code, merchant, None)
                    outcomes.append(("ok", code, record.pk))
                except LedgerError as refused:
                    outcomes.append(("refused", code, str(refused.messages[0])))
        except Exception as error:  # anything else (e.g. "database is locked") fails the round
            errors.append(repr(error))
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    with many_connections():
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(timeout=300)
    assert not errors, errors[:5]
    assert len(outcomes) == requests
    return resident, shared, outcomes


def check_round(resident, shared, outcomes, k):
    taken = {pk for status, _code, pk in outcomes if status == "ok"}
    assert len(taken) == k, (len(taken), k)
    assert Account.for_person(resident).balance == 0
    spends = Transfer.objects.filter(kind=Transfer.Kind.SPEND, entries__account__person=resident)
    assert spends.count() == k
    assert SpendCode.objects.filter(person=resident, used_at__isnull=False).count() == k
    shared_uses = {pk for status, code, pk in outcomes if status == "ok" and code == shared}
    assert len(shared_uses) <= 1  # retries of the shared code all point at its one transfer
    refusals = {message for status, _code, message in outcomes if status == "refused"}
    assert refusals <= {
        "积分不足：现有 0 分，需要 2 分。",
        "这个抵扣码已经用过了。",
        "积分不足：现有 1 分，需要 2 分。",
    }


@pytest.fixture
def merchants(settings):
    settings.POINTS_MAX_PER_DAY = 10_000
    shops = [f.merchant(name=f"联盟商户{n}", accepts_volunteer_points=True) for n in range(4)]
    for shop in shops:
        Account.for_merchant(shop)
    return shops


def test_concurrent_spends_take_exactly_what_the_balance_allows(merchants):
    if connection.vendor == "postgresql":
        rounds, threads, requests, k = 20, 50, 200, 37
    else:
        rounds, threads, requests, k = 20, 40, 40, 13
    for _ in range(rounds):
        resident, shared, outcomes = run_round(merchants, threads, requests, k)
        check_round(resident, shared, outcomes, k)
    assert reconcile() == []
