"""Moving points: the one function that writes the ledger, and the movements built on it.

`transfer` locks every account it touches (in id order, so two transfers never deadlock), checks
that the entries sum to zero and that no resident goes below zero, writes the transfer and its
entries, and moves the stored balances, all in one transaction. Its key makes it idempotent: a
retried, repeated or parallel request with the same key gets the transfer the first one wrote and
moves nothing. Crash points (portal/faults.py) let the fault tests kill a worker half-way.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal import faults

from .models import Account, Entry, Transfer


class LedgerError(ValidationError):
    """A movement the rules refuse; its message is shown as it is."""


def transfer(kind, moves, *, key, memo="", created_by=None, approved_by=None, reason="", reverses=None, at=None):
    """Write one transfer of `moves` [(account, amount)]; returns (transfer, created).

    `at` dates the movement (the demo's past months); people's requests always move points now.

    Amounts are whole points, not zero, summing to zero. Raises LedgerError when a resident's
    balance would go below zero.
    """
    moves = [(account, int(amount)) for account, amount in moves if amount]
    if not moves or sum(amount for _account, amount in moves) != 0:
        raise LedgerError(_("积分转账必须收支相抵。"))
    with transaction.atomic():
        existing = Transfer.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        ids = sorted({account.pk for account, _amount in moves})
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        change = {}
        for account, amount in moves:
            change[account.pk] = change.get(account.pk, 0) + amount
        for pk, delta in change.items():
            account = locked[pk]
            if account.kind == Account.Kind.RESIDENT and account.balance + delta < 0:
                raise LedgerError(
                    _("积分不足：现有 %(balance)d 分，需要 %(needed)d 分。")
                    % {"balance": account.balance, "needed": -delta}
                )
        now = at or timezone.now()
        faults.checkpoint("points_before_entries")
        try:
            with transaction.atomic():
                record = Transfer.objects.create(
                    kind=kind,
                    key=key,
                    memo=memo,
                    reason=reason,
                    created_by=created_by,
                    approved_by=approved_by,
                    reverses=reverses,
                    created_at=now,
                )
        except IntegrityError:
            # The same key committed by a parallel request while we waited for the locks.
            return Transfer.objects.get(key=key), False
        for number, (account, amount) in enumerate(moves):
            Entry.objects.create(transfer=record, account=locked[account.pk], amount=amount, created_at=now)
            if number == 0:
                faults.checkpoint("points_after_first_entry")
        for pk, delta in change.items():
            Account.objects.filter(pk=pk).update(balance=F("balance") + delta)
        faults.checkpoint("points_before_commit")
    return record, True


def reverse(original, *, reason, requested_by, approved_by):
    """Undo a transfer with its mirror image; only once, only with a reason, approved by a second person."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("请写明冲正的理由。"))
    if requested_by is None or approved_by is None or requested_by.pk == approved_by.pk:
        raise LedgerError(_("冲正须由另一位工作人员复核。"))
    if original.kind == Transfer.Kind.REVERSE:
        raise LedgerError(_("冲正记录不能再冲正。"))
    if Transfer.objects.filter(reverses=original).exists():
        raise LedgerError(_("这笔转账已经冲正过了。"))
    moves = [(entry.account, -entry.amount) for entry in original.entries.select_related("account")]
    record, _created = transfer(
        Transfer.Kind.REVERSE,
        moves,
        key=f"reverse:{original.pk}",
        memo=_("冲正：%(memo)s") % {"memo": original.memo or original.get_kind_display()},
        reason=reason,
        created_by=requested_by,
        approved_by=approved_by,
        reverses=original,
    )
    log(original, "points.reverse", user=approved_by, data={"reversal": record.pk, "reason": reason})
    return record


def credits_since(account, moment):
    """Points that came into `account` since `moment` (issuances and reversals in its favour)."""
    total = account.entries.filter(amount__gt=0, created_at__gte=moment).aggregate(total=Sum("amount"))["total"]
    return total or 0


def expire_year(year, now=None):
    """Take back the points residents earned before the end of `year` and have not spent.

    Spending uses the oldest points first, so what is older than the cut-off is the balance less
    what came in since. Returns [(account, points)] of what expired; run again, it expires nothing.
    """
    now = now or timezone.now()
    cutoff = datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    if now < cutoff:
        raise LedgerError(_("%(year)d 年还没有结束，积分不能过期。") % {"year": year})
    issuer = Account.issuer()
    expired = []
    for account in Account.objects.filter(kind=Account.Kind.RESIDENT, balance__gt=0).order_by("pk"):
        points = max(0, account.balance - credits_since(account, cutoff))
        if not points:
            continue
        try:
            record, created = transfer(
                Transfer.Kind.EXPIRE,
                [(account, -points), (issuer, points)],
                key=f"expire:{year}:{account.pk}",
                memo=_("%(year)d 年积分到期") % {"year": year},
            )
        except LedgerError:
            continue  # spent meanwhile: nothing old is left to expire
        if created:
            expired.append((account, points))
    return expired


def take_back_on_closing(person, at):
    """A closing account's balance goes back to the issuer; live spend codes die (accounts/closing.py)."""
    account = Account.objects.filter(person=person).first()
    if account is not None:
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.balance > 0:
            transfer(
                Transfer.Kind.CLOSE,
                [(account, -account.balance), (Account.issuer(), account.balance)],
                key=f"close:{account.pk}",
                memo=_("本人注销账号，余额收回"),
            )
    person.spend_codes.filter(used_at__isnull=True, expires_at__gt=at).update(expires_at=at)


def reconcile():
    """Every mismatch of the ledger, as lines to print: balances against entries, transfers against zero."""
    problems = []
    sums = dict(Entry.objects.values("account").annotate(total=Sum("amount")).values_list("account", "total"))
    for account in Account.objects.order_by("pk"):
        total = sums.get(account.pk, 0)
        if total != account.balance:
            problems.append(f"account {account.pk} ({account}): balance {account.balance}, entries sum {total}")
        if account.kind == Account.Kind.RESIDENT and total < 0:
            problems.append(f"account {account.pk} ({account}): a resident below zero ({total})")
    unbalanced = Entry.objects.values("transfer").annotate(total=Sum("amount")).exclude(total=0)
    for row in unbalanced:
        problems.append(f"transfer {row['transfer']}: entries sum to {row['total']}, not 0")
    empty = Transfer.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    problems.extend(f"transfer {pk}: no entries" for pk in empty)
    grand = Entry.objects.aggregate(total=Sum("amount"))["total"] or 0
    if grand:
        problems.append(f"all entries sum to {grand}, not 0")
    return problems
