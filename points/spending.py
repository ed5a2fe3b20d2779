"""Spending points at a member shop: a one-time code the resident shows, the shop's staff confirm.

1. `issue_code(person, points)` on the resident's phone: checks the balance and the caps, and
   returns a random 8-digit code (shown with its QR code), valid for POINTS_CODE_VALID_SECONDS.
   Only its keyed hash is stored.
2. `find_code(text)` on the shop's desk page: the live code, so staff see the amount and the
   resident's masked name before they confirm.
3. `confirm(text, merchant, staff)`: under a row lock on the code, every rule again (the code is
   live, the shop is a member that takes points, the resident is not its staff, the caps and the
   balance), then one ledger transfer keyed by the code. A code works once, ever: a second click,
   a retry or a parallel request finds it used, or the transfer the first one wrote.

A printed points card (card number and PIN) does the same at the counter for a resident without a
phone: `confirm_card`.
"""

import datetime
import secrets
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PointsCard

from .ledger import LedgerError, transfer
from .models import Account, SpendCode, Transfer, hash_spend_code


def normalise_code(text):
    """What staff typed or scanned: digits only, half-width (a code shown as 1234 5678)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text or "") if c.isdigit())


def _check_amount(points):
    if points is None or points < 1:
        raise LedgerError(_("请填写要抵扣的积分，至少 1 分。"))
    if points > settings.POINTS_MAX_PER_VISIT:
        raise LedgerError(_("每次最多抵扣 %(cap)d 分。") % {"cap": settings.POINTS_MAX_PER_VISIT})


def spent_today(person, now=None):
    start = datetime.datetime.combine(
        timezone.localdate(now), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    account = Account.objects.filter(person=person).first()
    if account is None:
        return 0
    total = account.entries.filter(transfer__kind=Transfer.Kind.SPEND, created_at__gte=start, amount__lt=0).aggregate(
        total=Sum("amount")
    )["total"]
    return -(total or 0)


def _check_day(person, points, now=None):
    left = settings.POINTS_MAX_PER_DAY - spent_today(person, now)
    if points > left:
        raise LedgerError(
            _("每天最多抵扣 %(cap)d 分，今天还可以抵扣 %(left)d 分。")
            % {"cap": settings.POINTS_MAX_PER_DAY, "left": max(left, 0)}
        )


def issue_code(person, points):
    """A new one-time code for `points`; returns (SpendCode, the code as digits)."""
    _check_amount(points)
    account = Account.for_person(person)
    if account.balance < points:
        raise LedgerError(_("积分不足：现有 %(balance)d 分。") % {"balance": account.balance})
    _check_day(person, points)
    code = f"{secrets.randbelow(10**8):08d}"
    now = timezone.now()
    record = SpendCode.objects.create(
        person=person,
        points=points,
        code_hash=hash_spend_code(code),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.POINTS_CODE_VALID_SECONDS),
    )
    return record, code


def find_code(text, now=None):
    """The live code typed or scanned, or None; a code shared by two live ones (1 in 10^8) is refused."""
    code = normalise_code(text)
    if len(code) != 8:
        return None
    now = now or timezone.now()
    live = list(
        SpendCode.objects.select_related("person").filter(
            code_hash=hash_spend_code(code), used_at__isnull=True, expires_at__gt=now
        )[:2]
    )
    return live[0] if len(live) == 1 else None


def check_shop(merchant, person):
    if not merchant.is_member:
        raise LedgerError(_("只有联盟商户可以收取志愿者积分。"))
    if not merchant.accepts_volunteer_points:
        raise LedgerError(_("本店没有开通积分抵扣，请联系社区开通。"))
    if merchant.staff.filter(person=person, active=True).exists():
        raise LedgerError(_("不能在自己的店里抵扣自己的积分。"))


def confirm(text, merchant, staff_user):
    """Take the points of the code at `merchant`; returns the spend transfer."""
    code = normalise_code(text)
    if len(code) != 8:
        raise LedgerError(_("抵扣码是 8 位数字，请核对后再输入。"))
    digest = hash_spend_code(code)
    now = timezone.now()
    with transaction.atomic():
        # Locked: of parallel confirmations of one code, the first takes it and the others wait, then find it used.
        record = (
            SpendCode.objects.select_for_update()
            .select_related("person")
            .filter(code_hash=digest, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None:
            used = SpendCode.objects.filter(code_hash=digest, used_at__isnull=False).order_by("-used_at").first()
            if used is None:
                raise LedgerError(_("抵扣码不正确，请核对后再输入。"))
            if used.merchant_id == merchant.pk and used.used_at > now - datetime.timedelta(minutes=10):
                return used.transfer  # a second click or a retry of the confirmation that went through
            raise LedgerError(_("这个抵扣码已经用过了。"))
        if now >= record.expires_at:
            raise LedgerError(_("这个抵扣码已过期，请居民重新生成。"))
        check_shop(merchant, record.person)
        _check_amount(record.points)
        _check_day(record.person, record.points)
        spend, _created = transfer(
            Transfer.Kind.SPEND,
            [(Account.for_person(record.person), -record.points), (Account.for_merchant(merchant), record.points)],
            key=f"spend:{record.pk}",
            memo=merchant.name,
            created_by=staff_user,
        )
        record.used_at = spend.created_at
        record.merchant = merchant
        record.transfer = spend
        record.save(update_fields=["used_at", "merchant", "transfer"])
    return spend


def check_card(number, pin, now=None):
    """The active card with that number and PIN, or LedgerError; wrong PINs in a row lock the card."""
    now = now or timezone.now()
    card = PointsCard.objects.select_related("person").filter(number=normalise_code(number), active=True).first()
    if card is None:
        raise LedgerError(_("卡号或密码不正确。"))
    if card.locked_until and card.locked_until > now:
        raise LedgerError(
            _("这张卡的密码输错次数过多，已暂停使用，请 %(minutes)d 分钟后再试，或请持卡人到社区重设密码。")
            % {"minutes": settings.POINTS_CARD_LOCK_SECONDS // 60}
        )
    if not card.check_pin(normalise_code(pin)):
        with transaction.atomic():
            card = PointsCard.objects.select_for_update().get(pk=card.pk)
            card.failed_pins += 1
            if card.failed_pins >= settings.POINTS_CARD_PIN_TRIES:
                card.failed_pins = 0
                card.locked_until = now + datetime.timedelta(seconds=settings.POINTS_CARD_LOCK_SECONDS)
            card.save(update_fields=["failed_pins", "locked_until"])
        raise LedgerError(_("卡号或密码不正确。"))
    if card.failed_pins:
        PointsCard.objects.filter(pk=card.pk).update(failed_pins=0)
    return card


def confirm_card(number, pin, points, merchant, staff_user, key):
    """Take `points` from a printed card's holder at `merchant` (card number and PIN at the counter).

    `key` is the desk form's one-time token, so a double submit takes the points once.
    """
    card = check_card(number, pin)
    _check_amount(points)
    with transaction.atomic():
        check_shop(merchant, card.person)
        _check_day(card.person, points)
        spend, _created = transfer(
            Transfer.Kind.SPEND,
            [(Account.for_person(card.person), -points), (Account.for_merchant(merchant), points)],
            key=f"card:{key}",
            memo=_("%(shop)s（积分卡）") % {"shop": merchant.name},
            created_by=staff_user,
        )
    return spend
