"""People who sign in on the public site: residents and shop staff, known by their mobile number.

- Person: the public side of a user account; its mobile is what they sign in with. Persons never
  hold staff rights: their sessions stay off the admin (accounts/middleware.py).
- MobileDevice: a django-otp device that sends one-time codes by SMS. The code is kept only as a
  keyed hash, expires after a few minutes and works once; django-otp's mixins throttle failed
  attempts (exponential back-off) and repeated sending, in the database, so every app server
  counts together.
- ShopStaff: who may use a member shop's desk (take points at the counter).
- PointsCard: a printed card with a number and a PIN, for elderly residents without a smartphone.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, Device, ThrottlingMixin
from django_otp.util import random_number_token

from alliance.models import Merchant
from portal.privacy import mask_mobile, mask_name


class Person(models.Model):
    """A resident or shopkeeper with an account on the public site."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person", verbose_name=_("用户")
    )
    mobile = models.CharField(
        _("手机号码"), max_length=11, unique=True, null=True, blank=True, help_text=_("登录用的手机号码")
    )
    name = models.CharField(_("姓名"), max_length=40, blank=True, help_text=_("公示时只显示姓和最后一个字"))
    verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_at = models.DateTimeField(
        _("注销时间"), null=True, blank=True, help_text=_("本人注销后，手机号和姓名已删除，积分记录匿名保留")
    )

    class Meta:
        verbose_name = _("居民账号")
        verbose_name_plural = _("居民账号")
        ordering = ["-created_at"]
        permissions = [
            ("view_person_mobile", _("可以查看居民完整手机号")),
            ("act_for_person", _("可以在柜台代居民办理")),
        ]

    def __str__(self):
        return f"{self.masked_name} {self.masked_mobile}".strip()

    @property
    def masked_mobile(self):
        return mask_mobile(self.mobile) if self.mobile else ""

    @property
    def masked_name(self):
        """王*国: as public lists show residents."""
        if self.closed_at is not None:
            return str(_("已注销"))
        if not self.name:
            return str(_("居民"))
        if len(self.name) <= 2:
            return mask_name(self.name)
        return self.name[0] + "*" * (len(self.name) - 2) + self.name[-1]

    @property
    def is_verified(self):
        return self.verified_at is not None


class MobileDevice(ThrottlingMixin, CooldownMixin, Device):
    """Sends a Person's one-time sign-in codes by SMS; stores only a keyed hash of the code."""

    token_hash = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("短信验证设备")
        verbose_name_plural = _("短信验证设备")

    def get_throttle_factor(self):
        return getattr(settings, "SIGN_IN_THROTTLE_FACTOR", 1)

    def get_cooldown_duration(self):
        return getattr(settings, "SIGN_IN_CODE_COOLDOWN", 60)

    def _hash(self, code):
        return salted_hmac("accounts.MobileDevice.code", f"{self.pk}:{code}").hexdigest()

    def new_code(self):
        """A fresh random code, valid for SIGN_IN_CODE_VALID_SECONDS; the device keeps only its hash."""
        code = random_number_token(getattr(settings, "SIGN_IN_CODE_LENGTH", 6))
        self.token_hash = self._hash(code)
        self.valid_until = timezone.now() + datetime.timedelta(seconds=settings.SIGN_IN_CODE_VALID_SECONDS)
        self.cooldown_set(commit=False)
        self.save()
        return code

    def verify_token(self, token):
        """True once for the right, unexpired code; each wrong try counts towards the back-off."""
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        token = (token or "").strip()
        valid = (
            bool(self.token_hash)
            and timezone.now() < self.valid_until
            and constant_time_compare(self.token_hash, self._hash(token))
        )
        if valid:
            # Used once: the hash goes, so the same code (or a replay) never works again.
            self.token_hash = ""
            self.valid_until = timezone.now()
            self.throttle_reset(commit=False)
            self.cooldown_reset(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return valid


class ShopStaff(models.Model):
    """A person who may work a member shop's desk."""

    class Role(models.TextChoices):
        OWNER = "owner", _("店主")
        CLERK = "clerk", _("店员")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shops", verbose_name=_("居民账号"))
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff", verbose_name=_("商户"))
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.CLERK)
    active = models.BooleanField(_("在岗"), default=True)
    added_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    class Meta:
        verbose_name = _("商户店员")
        verbose_name_plural = _("商户店员")
        constraints = [models.UniqueConstraint(fields=["person", "merchant"], name="unique_staff_per_shop")]

    def __str__(self):
        return f"{self.merchant} · {self.person} · {self.get_role_display()}"


def new_card_number():
    # 12 digits, printed in groups of four; the first digit is never 0 so no one drops it.
    return str(secrets.randbelow(9 * 10**11) + 10**11)


class PointsCard(models.Model):
    """A printed points card: the card number identifies the person, the PIN proves it is theirs."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="card", verbose_name=_("居民账号"))
    number = models.CharField(_("卡号"), max_length=12, unique=True, default=new_card_number, editable=False)
    pin_hash = models.CharField(max_length=128, editable=False)
    active = models.BooleanField(_("有效"), default=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发卡人")
    )
    issued_at = models.DateTimeField(_("发卡时间"), default=timezone.now)
    # Wrong PINs at the counter, counted in the database so a guessing clerk is stopped even when the cache is down.
    failed_pins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("积分卡")
        verbose_name_plural = _("积分卡")

    def __str__(self):
        return f"{self.display_number} {self.person}"

    @property
    def display_number(self):
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))

    def set_pin(self, pin):
        self.pin_hash = make_password(pin)

    def check_pin(self, pin):
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)
