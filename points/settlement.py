"""A member shop's month: the points it took, the statement (XLSX) and the office's settlement.

Settling moves the month's points from the shop's account back to the issuer; the alliance pays the
shop for them outside the portal. One settlement per shop and month (a key and a unique row).
"""

import datetime

from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.downloads import attachment, file_name
from portal.people import display_name
from portal.spreadsheets import Formatted, xlsx_bytes

from .ledger import LedgerError, transfer
from .models import Account, Entry, Settlement, Transfer, month_start, next_month


def month_bounds(month):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(month_start(month), datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(next_month(month), datetime.time.min, tzinfo=zone)
    return start, end


def spends_in_month(merchant, month):
    """The shop's spend entries of the month (points in), with their transfers and residents."""
    account = Account.objects.filter(merchant=merchant).first()
    if account is None:
        return Entry.objects.none()
    start, end = month_bounds(month)
    others = Prefetch("transfer__entries", queryset=Entry.objects.select_related("account__person"), to_attr="sides")
    return (
        account.entries.filter(created_at__gte=start, created_at__lt=end, transfer__kind=Transfer.Kind.SPEND)
        .select_related("transfer__created_by")
        .prefetch_related(others)
        .order_by("created_at", "pk")
    )


def resident_of(entry):
    """The resident whose points a shop's spend entry took (the transfer's other side)."""
    return next((side.account.person for side in entry.transfer.sides if side.account.person_id), None)


def points_taken(merchant, month):
    start, end = month_bounds(month)
    total = Entry.objects.filter(
        account__merchant=merchant,
        created_at__gte=start,
        created_at__lt=end,
        transfer__kind__in=[Transfer.Kind.SPEND, Transfer.Kind.REVERSE],
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def settle(merchant, month, confirmed_by, at=None):
    """The office confirms the month's statement; returns the Settlement."""
    at = at or timezone.now()
    month = month_start(month)
    if month >= timezone.localdate(at).replace(day=1):
        raise LedgerError(_("本月还没有结束，月底后再结算。"))
    points = points_taken(merchant, month)
    if points <= 0:
        raise LedgerError(_("这个月没有需要结算的积分。"))
    with transaction.atomic():
        existing = Settlement.objects.filter(merchant=merchant, month=month).first()
        if existing is not None:
            return existing
        moved, _created = transfer(
            Transfer.Kind.SETTLE,
            [(Account.for_merchant(merchant), -points), (Account.issuer(), points)],
            key=f"settle:{merchant.pk}:{month:%Y-%m}",
            memo=_("%(shop)s %(month)s 月结算") % {"shop": merchant.name, "month": f"{month:%Y-%m}"},
            created_by=confirmed_by,
            approved_by=confirmed_by,
            at=at,
        )
        settlement = Settlement.objects.create(
            merchant=merchant, month=month, points=points, confirmed_by=confirmed_by, confirmed_at=at, transfer=moved
        )
    log(settlement, "points.settle", user=confirmed_by, data={"points": points, "month": f"{month:%Y-%m}"})
    return settlement


def statement_disposition(merchant, month):
    """Content-Disposition of a shop's month statement: its name and the month, readable on a phone."""
    name = f"{merchant.name} {_('积分抵扣明细')} {formats.date_format(month, 'YEAR_MONTH_FORMAT')}"
    return attachment(file_name(name, ".xlsx"), f"points-statement-{merchant.pk}-{month:%Y-%m}.xlsx")


def statement_workbook(merchant, month):
    """The month's spends at the shop as an XLSX file (bytes); residents' names masked."""
    rows = [
        [_("商户"), merchant.name, _("月份"), f"{month:%Y-%m}"],
        [_("时间"), _("居民"), _("积分"), _("经手店员"), _("记录编号")],
    ]
    total = 0
    for entry in spends_in_month(merchant, month):
        person = resident_of(entry)
        staff = entry.transfer.created_by
        rows.append(
            [
                # A date-time cell (Beijing time; spreadsheets know no zones), so it sorts and filters as one.
                Formatted(
                    timezone.localtime(entry.created_at).replace(tzinfo=None, second=0, microsecond=0),
                    "yyyy-mm-dd hh:mm",
                ),
                person.masked_name if person else "",
                entry.amount,
                display_name(staff) if staff else "",
                entry.transfer_id,
            ]
        )
        total += entry.amount
    rows.append([_("合计"), "", total, "", ""])
    # Shop, resident and staff names are typed by people: portal.spreadsheets makes every cell safe.
    return xlsx_bytes([(_("积分抵扣明细"), rows)])
