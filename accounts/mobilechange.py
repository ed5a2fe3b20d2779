"""Changing the mobile number one signs in with (更换手机号), proved by a code sent to the new number.

The pending change lives in the person's session: the new number, a keyed hash of the code, its
expiry and the wrong tries left. Sending counts against the same per-client and per-number limits
as sign-in codes, so this is no way round them. Whether the new number already belongs to someone
is said only after its code is entered, to the person who has just shown they hold that number.
An account the office opened at the counter, or one with anything attached, is never merged
silently: that takes the office. The old number gets an SMS about the change.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.util import random_number_token
from wagtail import hooks

from portal.privacy import mask_mobile
from portal.ratelimit import CountersUnavailable, count_hit, rate_limited
from portal.sms import SMSError, send_sms

from .models import MobileDevice, Person
from .signin import PERSON_VERIFIED_HOOK, SignInRefused, _busy, _number_key

SESSION_KEY = "mobile_change"
TRIES = 5


def _hash(person, mobile, code):
    return salted_hmac("accounts.mobilechange", f"{person.pk}:{mobile}:{code}").hexdigest()


def pending(request):
    """The new number waiting for its code, or None."""
    change = request.session.get(SESSION_KEY)
    return change["mobile"] if change else None


def send_change_code(request, person, mobile):
    """Send a code to the new `mobile`; raises SignInRefused with the message to show."""
    if mobile == person.mobile:
        raise SignInRefused(_("这就是您现在的手机号，无需更换。"))
    try:
        if rate_limited(request, "signin-send", settings.SIGN_IN_CODES_PER_CLIENT, 3600):
            raise SignInRefused(_("获取验证码次数过多，请一小时后再试，或拨打社区服务热线。"))
        if count_hit(_number_key(mobile), 86400) > settings.SIGN_IN_CODES_PER_NUMBER:
            raise SignInRefused(_("这个号码今天获取验证码的次数已达上限，请明天再试，或拨打社区服务热线。"))
    except CountersUnavailable:
        raise _busy()
    code = random_number_token(getattr(settings, "SIGN_IN_CODE_LENGTH", 6))
    minutes = max(1, settings.SIGN_IN_CODE_VALID_SECONDS // 60)
    text = _("【商居联盟】您正在更换登录手机号，验证码是 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。") % {
        "code": code,
        "minutes": minutes,
    }
    try:
        send_sms(mobile, text, kind="mobile_change_code", params={"code": code})
    except SMSError:
        raise SignInRefused(_("短信发送失败，请稍后再试，或拨打社区服务热线。"))
    until = timezone.now() + datetime.timedelta(seconds=settings.SIGN_IN_CODE_VALID_SECONDS)
    request.session[SESSION_KEY] = {
        "mobile": mobile,
        "hash": _hash(person, mobile, code),
        "until": until.isoformat(),
        "tries": TRIES,
    }


def _placeholder(other):
    """True for a number someone only asked a code for: no verified sign-in, nothing attached."""
    return (
        other.verified_at is None
        and not other.user.is_active
        and not hasattr(other, "card")
        and not hasattr(other, "points_account")
        and not other.shops.exists()
        and not other.sign_ups.exists()
        and not other.spend_codes.exists()
    )


def confirm_change(request, person, code):
    """Move `person` to the pending number when `code` is right; returns the new number."""
    change = request.session.get(SESSION_KEY)
    wrong = _("验证码不正确或已过期，请重新获取。")
    if not change or change["tries"] < 1 or timezone.now() >= datetime.datetime.fromisoformat(change["until"]):
        request.session.pop(SESSION_KEY, None)
        raise SignInRefused(wrong)
    mobile = change["mobile"]
    if not constant_time_compare(change["hash"], _hash(person, mobile, (code or "").strip())):
        change["tries"] -= 1
        request.session[SESSION_KEY] = change
        raise SignInRefused(wrong)
    request.session.pop(SESSION_KEY, None)
    old = person.mobile
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        other = Person.objects.select_for_update().select_related("user").filter(mobile=mobile).first()
        if other is not None:
            if not _placeholder(other):
                raise SignInRefused(_("这个号码已经是另一个账号的登录手机号。如需合并两个账号，请到社区服务中心办理。"))
            user = other.user
            MobileDevice.objects.filter(user=user).delete()
            other.delete()
            user.delete()
        person.mobile = mobile
        person.save(update_fields=["mobile"])
    for hook in hooks.get_hooks(PERSON_VERIFIED_HOOK):
        hook(person)  # cases reported with the new number become theirs too
    if old:
        try:
            send_sms(
                old,
                _("【商居联盟】您的登录手机号已改为 %(mobile)s。如非本人操作，请立即拨打社区服务热线。")
                % {"mobile": mask_mobile(mobile)},
                kind="mobile_changed",
                params={"mobile": mask_mobile(mobile)},
            )
        except SMSError:
            pass  # the change stands; the notice to the old number is a courtesy
    return mobile
