"""Earning points: signing up for a volunteer activity, attendance recorded by one staff member and
confirmed by another, and the issuance that follows (idempotent per activity and resident).

Sign-ups take the places in order; past the places a resident waits, and a cancellation before the
deadline moves the first one waiting up. Only confirmed attendance becomes points: one person alone
can never issue them (the recorder cannot confirm, and the database refuses it too).
"""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .ledger import LedgerError, transfer
from .models import Account, Activity, Attendance, SignUp, Transfer

S = SignUp.Status


def sign_up(activity, person, on_behalf_by=None):
    """Sign `person` up; returns the SignUp (confirmed, or waiting when the places are taken)."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if not activity.is_open:
            raise LedgerError(_("报名已经截止。"))
        existing = SignUp.objects.filter(activity=activity, person=person).first()
        if existing is not None and existing.status != S.CANCELLED:
            return existing
        taken = activity.sign_ups.filter(status=S.CONFIRMED).count()
        status = S.CONFIRMED if taken < activity.places else S.WAITING
        if existing is None:
            existing = SignUp(activity=activity, person=person)
        existing.status, existing.created_at, existing.on_behalf_by = status, timezone.now(), on_behalf_by
        existing.save()
    return existing


def cancel(activity, person):
    """Cancel a sign-up before the deadline; the first resident waiting takes the place."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if not activity.is_open:
            raise LedgerError(_("已过报名截止时间，不能取消；如有变化请联系组织人。"))
        mine = SignUp.objects.filter(activity=activity, person=person).exclude(status=S.CANCELLED).first()
        if mine is None:
            return None
        was_confirmed = mine.status == S.CONFIRMED
        mine.status = S.CANCELLED
        mine.save(update_fields=["status", "updated_at"])
        if was_confirmed:
            first_waiting = activity.sign_ups.filter(status=S.WAITING).order_by("created_at", "pk").first()
            if first_waiting is not None:
                first_waiting.status = S.CONFIRMED
                first_waiting.save(update_fields=["status", "updated_at"])
    return mine


def parse_hours(value):
    """Hours as staff type them (1.5, ２, 3 小时): a Decimal in (0, 24], or LedgerError."""
    text = unicodedata.normalize("NFKC", str(value or "")).replace("小时", "").strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise LedgerError(_("请填写服务时长，例如 2 或 1.5。"))
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise LedgerError(_("服务时长应大于 0，最多 24 小时。"))
    return hours.quantize(Decimal("0.1"))


def record_attendance(activity, person, hours, recorded_by, at=None):
    """The organiser's record of one person's hours; changeable until it is confirmed."""
    hours = parse_hours(hours)
    at = at or timezone.now()
    if at < activity.starts_at:
        raise LedgerError(_("活动开始后才能登记出勤。"))
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().filter(activity=activity, person=person).first()
        if attendance is not None and attendance.confirmed_at is not None:
            raise LedgerError(_("这条出勤已经复核发放，不能再改。"))
        if attendance is None:
            attendance = Attendance(activity=activity, person=person)
        attendance.hours, attendance.recorded_by, attendance.recorded_at = hours, recorded_by, at
        attendance.save()
    log(attendance, "points.record_attendance", user=recorded_by, data={"hours": str(hours)})
    return attendance


def confirm_attendance(attendance, confirmed_by, at=None):
    """A second staff member confirms; the points are issued once per activity and resident."""
    at = at or timezone.now()
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update().select_related("activity__notice", "person").get(pk=attendance.pk)
        )
        if attendance.recorded_by_id == confirmed_by.pk:
            raise LedgerError(_("登记出勤的人不能自己复核，请另一位工作人员复核。"))
        if attendance.transfer_id:
            return attendance.transfer
        if attendance.person.closed_at is not None:
            raise LedgerError(_("这位居民已注销账号，积分不再发放。"))
        activity = attendance.activity
        points = attendance.points
        if points < 1:
            raise LedgerError(_("服务时长不足以获得积分。"))
        issue, _created = transfer(
            Transfer.Kind.ISSUE,
            [(Account.issuer(), -points), (Account.for_person(attendance.person), points)],
            key=f"issue:{activity.pk}:{attendance.person_id}",
            memo=_("%(title)s %(hours)s 小时") % {"title": activity.notice.title, "hours": attendance.hours},
            created_by=attendance.recorded_by,
            approved_by=confirmed_by,
            at=at,
        )
        attendance.confirmed_by, attendance.confirmed_at, attendance.transfer = confirmed_by, at, issue
        attendance.save(update_fields=["confirmed_by", "confirmed_at", "transfer"])
    log(attendance, "points.confirm_attendance", user=confirmed_by, data={"points": points, "transfer": issue.pk})
    return issue


def withdraw_on_closing(person, at):
    """A closing account leaves the activities still to come; a place it held goes to who waits."""
    coming = SignUp.objects.filter(person=person, activity__starts_at__gt=at).exclude(status=SignUp.Status.CANCELLED)
    for signed in coming.select_related("activity"):
        if signed.activity.is_open:
            cancel(signed.activity, person)
        else:
            SignUp.objects.filter(pk=signed.pk).update(status=SignUp.Status.CANCELLED)
