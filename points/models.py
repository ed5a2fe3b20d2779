"""The volunteer points ledger, and what moves points: activities, attendance, spend codes, settlements.

The ledger is double entry and append-only. Each resident, each member shop and the alliance (the
issuer, which creates points) has an Account. Every movement is a Transfer whose Entries sum to
zero; an account's balance is the sum of its entries. `Account.balance` keeps that sum for speed:
it changes only in the transaction that writes the entries (points/ledger.py), under a row lock,
and `reconcile_points` checks it. Entries and transfers are never changed or deleted: the
database refuses (triggers, portal/appendonly.py) and so do the models. A correction is a
reversal transfer with a reason and an approver.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from alliance.models import Merchant
from bulletins.models import NoticePage


class AppendOnlyError(Exception):
    """Ledger rows are written once; corrections are new rows."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


# --- The ledger ------------------------------------------------------------------------------


class Account(models.Model):
    class Kind(models.TextChoices):
        ISSUER = "issuer", _("联盟积分池")
        RESIDENT = "resident", _("居民")
        MERCHANT = "merchant", _("联盟商户")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="points_account", verbose_name=_("居民")
    )
    merchant = models.OneToOneField(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="points_account", verbose_name=_("商户")
    )
    balance = models.IntegerField(_("余额"), default=0, help_text=_("各笔记录之和；每次转账时在同一事务中更新"))
    created_at = models.DateTimeField(_("开户时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            # A resident can never owe points, whatever code runs.
            models.CheckConstraint(
                condition=~Q(kind="resident") | Q(balance__gte=0), name="resident_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="issuer", person__isnull=True, merchant__isnull=True))
                | Q(kind="resident", person__isnull=False, merchant__isnull=True)
                | Q(kind="merchant", person__isnull=True, merchant__isnull=False),
                name="account_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="issuer"), name="one_issuer_account"),
        ]

    def __str__(self):
        if self.kind == self.Kind.RESIDENT:
            return f"{self.person}"
        if self.kind == self.Kind.MERCHANT:
            return f"{self.merchant}"
        return str(self.Kind.ISSUER.label)

    @classmethod
    def issuer(cls):
        return cls.objects.get_or_create(kind=cls.Kind.ISSUER)[0]

    @classmethod
    def for_person(cls, person):
        return cls.objects.get_or_create(person=person, defaults={"kind": cls.Kind.RESIDENT})[0]

    @classmethod
    def for_merchant(cls, merchant):
        return cls.objects.get_or_create(merchant=merchant, defaults={"kind": cls.Kind.MERCHANT})[0]

    def entries_sum(self):
        return self.entries.aggregate(total=Sum("amount"))["total"] or 0


class Transfer(AppendOnlyModel):
    """One movement of points; its entries sum to zero. Never changed: reversed by another."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("志愿服务发放")
        SPEND = "spend", _("商户抵扣")
        SETTLE = "settle", _("商户结算")
        EXPIRE = "expire", _("过期回收")
        CLOSE = "close", _("注销回收")
        REVERSE = "reverse", _("冲正")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # Idempotency: issue:<activity>:<person>, spend:<code>, settle:<merchant>:<month>, expire:<year>:<account>,
    # close:<account>, reverse:<transfer>. A retried or parallel request with the same key finds the first transfer.
    key = models.CharField(max_length=80, unique=True)
    memo = models.CharField(_("说明"), max_length=200, blank=True)
    reason = models.TextField(_("冲正理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_transfers_created",
        verbose_name=_("经办人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_transfers_approved",
        verbose_name=_("复核人"),
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("冲正的转账")
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("积分转账")
        verbose_name_plural = _("积分转账")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.memo}".strip()


class Entry(AppendOnlyModel):
    """One side of a transfer: points into (+) or out of (-) one account."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries", verbose_name=_("转账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    amount = models.IntegerField(_("积分"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at", "-id"], name="points_entry_statement")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero")]

    def __str__(self):
        return f"{self.account} {self.amount:+d}"


# --- Earning: activities, sign-ups and attendance confirmed by two people ----------------------


class Activity(models.Model):
    """One session of a volunteer notice (志愿服务) that residents sign up for and earn points at."""

    notice = models.ForeignKey(
        NoticePage,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("活动通知"),
        limit_choices_to={"kind": NoticePage.Kind.VOLUNTEER},
        error_messages={"invalid": _("只能为“志愿服务”类型的通知设置积分活动。")},
        help_text=_("类型为“志愿服务”的通知；居民在通知页面报名"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveSmallIntegerField(_("名额"), default=20, help_text=_("报满后再报名的居民进入候补"))
    points_per_hour = models.PositiveSmallIntegerField(_("每小时积分"), default=1)
    points_cap = models.PositiveSmallIntegerField(_("每人积分上限"), default=4, help_text=_("一次活动每人最多得多少分"))
    sign_up_until = models.DateTimeField(_("报名截止"), help_text=_("这之前可以报名和取消报名"))
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_activities",
        verbose_name=_("组织人"),
        help_text=_("活动后登记出勤的人；另一位工作人员复核后才发放积分"),
    )

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["notice", "starts_at"], name="one_activity_per_session")]

    def __str__(self):
        return f"{self.notice.title}（{timezone.localtime(self.starts_at):%Y-%m-%d}）"

    def clean(self):
        errors = {}
        if self.notice_id and self.notice.kind != NoticePage.Kind.VOLUNTEER:
            errors["notice"] = _("只能为“志愿服务”类型的通知设置积分活动。")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间须晚于开始时间。")
        if self.sign_up_until and self.starts_at and self.sign_up_until > self.starts_at:
            errors["sign_up_until"] = _("报名截止时间不能晚于活动开始。")
        if errors:
            raise ValidationError(errors)

    def points_for(self, hours):
        """Whole points for `hours` of service, at most the cap."""
        return min(self.points_cap, int(hours * self.points_per_hour))

    @property
    def is_open(self):
        return timezone.now() <= self.sign_up_until


class SignUp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITING = "waiting", _("候补")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sign_ups", verbose_name=_("活动"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sign_ups", verbose_name=_("居民"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    on_behalf_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("代办人"),
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="one_sign_up_per_activity")]

    def __str__(self):
        return f"{self.activity} · {self.person} · {self.get_status_display()}"


class Attendance(models.Model):
    """Hours a person served, recorded by one staff member and confirmed by another before points go."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("活动"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("居民"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("复核人"),
    )
    confirmed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("发放")
    )

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["activity", "pk"]
        permissions = [("confirm_attendance", _("可以复核出勤并发放积分"))]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_attendance_per_activity"),
            # One person alone can never issue points.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("recorded_by")),
                name="attendance_confirmed_by_another",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="attendance_hours_in_a_day"),
        ]

    def __str__(self):
        return f"{self.activity} · {self.person} · {self.hours} 小时"

    @property
    def points(self):
        return self.activity.points_for(self.hours)


# --- Corrections: a reversal asked for by one staff member, approved by another -----------------


class ReversalRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        APPROVED = "approved", _("已冲正")
        REJECTED = "rejected", _("已驳回")

    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, related_name="reversal_requests", verbose_name=_("要冲正的转账")
    )
    reason = models.TextField(_("冲正理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("复核人"),
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    note = models.CharField(_("复核意见"), max_length=200, blank=True)
    reversal = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("冲正记录")
    )

    class Meta:
        verbose_name = _("冲正申请")
        verbose_name_plural = _("冲正申请")
        ordering = ["-requested_at", "-pk"]
        permissions = [("approve_reversalrequest", _("可以复核冲正申请"))]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer"], condition=Q(status="pending"), name="one_pending_reversal_per_transfer"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="reversal_decided_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.transfer} · {self.get_status_display()}"


# --- Spending at a member shop ---------------------------------------------------------------


def hash_spend_code(code):
    return salted_hmac("points.SpendCode", code).hexdigest()


class SpendCode(models.Model):
    """A one-time code a resident shows at a member shop's counter; the shop's staff confirm it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="spend_codes", verbose_name=_("居民"))
    points = models.PositiveIntegerField(_("积分"))
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    merchant = models.ForeignKey(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("商户")
    )
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="spend_code", verbose_name=_("抵扣")
    )

    class Meta:
        verbose_name = _("抵扣码")
        verbose_name_plural = _("抵扣码")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.person} {self.points}"

    @property
    def is_live(self):
        return self.used_at is None and timezone.now() < self.expires_at


# --- Settling with the alliance ----------------------------------------------------------------


class Settlement(models.Model):
    """A member shop's points taken in one month, confirmed by the office, which gives them back to the issuer."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("商户"))
    month = models.DateField(_("月份"), help_text=_("该月 1 日"))
    points = models.PositiveIntegerField(_("积分"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), default=timezone.now)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("结算转账")
    )

    class Meta:
        verbose_name = _("月度结算")
        verbose_name_plural = _("月度结算")
        ordering = ["-month", "merchant"]
        constraints = [models.UniqueConstraint(fields=["merchant", "month"], name="one_settlement_per_month")]

    def __str__(self):
        return f"{self.merchant} {self.month:%Y-%m} {self.points}"


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
