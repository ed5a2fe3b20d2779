"""Sign-in by mobile number and a one-time SMS code.

1. `send_code(request, mobile)`: limits per client (the shared cache) and per number (django-otp's
   cooldown on the device, and a daily cap); then a fresh code by SMS. Every number is treated
   alike, known or not: a person (and their device) is made on the first request, and stays
   unusable until the code is entered, so no answer reveals whether a number has an account.
2. `verify_code(request, mobile, code)`: django-otp's throttle (exponential back-off after wrong
   codes, in the database), a per-client cap, and the code's own expiry and single use.
3. `sign_in(request, person)`: the Django login, by our backend, which never lets a session of
   this kind carry staff rights (accounts/backends.py, accounts/middleware.py).

Residents' other records (cases reported with the same mobile) are linked after a successful
sign-in by the apps that own them, through the "person_verified" hook.
"""

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from wagtail import hooks

from portal.ratelimit import BUSY_MESSAGE, CountersUnavailable, count_hit, rate_limited
from portal.sms import SMSError, send_sms

from .models import MobileDevice, Person

BACKEND = "accounts.backends.MobileCodeBackend"
# Wagtail hooks other apps register (they cannot import accounts): fn(person) after a verified sign-in.
PERSON_VERIFIED_HOOK = "person_verified"


class SignInRefused(Exception):
    """What to tell the person, as it is; the same words whether or not the number has an account.

    `busy` when the refusal is ours (the counters are unavailable), not the person's doing.
    """

    def __init__(self, message, busy=False):
        super().__init__(message)
        self.busy = busy


def _busy():
    # No code is sent or checked while the limits cannot be counted: fail closed.
    return SignInRefused(BUSY_MESSAGE, busy=True)


def person_for(mobile):
    """The person with this number, made (inactive, with a device) on the first request."""
    person = Person.objects.filter(mobile=mobile).select_related("user").first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            user = get_user_model()(username=f"m{salted_hmac('accounts.username', mobile).hexdigest()[:20]}")
            user.is_active = False
            user.set_unusable_password()
            user.save()
            person = Person.objects.create(user=user, mobile=mobile)
            MobileDevice.objects.create(user=user, name="sms", confirmed=False)
    except IntegrityError:
        # Someone asked for the same number at the same moment.
        person = Person.objects.select_related("user").get(mobile=mobile)
    return person


def device_for(person):
    device = MobileDevice.objects.filter(user=person.user).first()
    return device or MobileDevice.objects.create(user=person.user, name="sms", confirmed=False)


def _number_key(mobile):
    return "signin-number:" + salted_hmac("accounts.number", mobile).hexdigest()[:32]


def send_code(request, mobile):
    """Send a sign-in code to `mobile`; raises SignInRefused with the message to show."""
    try:
        limited = rate_limited(request, "signin-send", settings.SIGN_IN_CODES_PER_CLIENT, 3600)
    except CountersUnavailable:
        raise _busy()
    if limited:
        raise SignInRefused(_("获取验证码次数过多，请一小时后再试，或拨打社区服务热线。"))
    with transaction.atomic():
        person = person_for(mobile)
        device = MobileDevice.objects.select_for_update().get(pk=device_for(person).pk)
        allowed, _detail = device.generate_is_allowed()
        if not allowed:
            raise SignInRefused(_("验证码已发送，请稍等一分钟再重新获取。"))
        try:
            sent_today = count_hit(_number_key(mobile), 86400)
        except CountersUnavailable:
            raise _busy()
        if sent_today > settings.SIGN_IN_CODES_PER_NUMBER:
            raise SignInRefused(_("这个号码今天获取验证码的次数已达上限，请明天再试，或拨打社区服务热线。"))
        code = device.new_code()
    minutes = max(1, settings.SIGN_IN_CODE_VALID_SECONDS // 60)
    text = _("【商居联盟】您的登录验证码是 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。") % {
        "code": code,
        "minutes": minutes,
    }
    try:
        send_sms(mobile, text, kind="sign_in_code", params={"code": code})
    except SMSError:
        # Not their fault: they may ask again at once, and the code that never arrived is void.
        device.token_hash = ""
        device.cooldown_reset(commit=False)
        device.save(update_fields=["token_hash", "last_generated_timestamp"])
        raise SignInRefused(_("短信发送失败，请稍后再试，或拨打社区服务热线。"))


def verify_code(request, mobile, code):
    """The person when `code` is the live code for `mobile`; raises SignInRefused otherwise.

    One message for a wrong, expired, reused or throttled code, and for a number never seen.
    """
    wrong = _("验证码不正确或已过期，请重新获取。")
    try:
        limited = rate_limited(request, "signin-verify", settings.SIGN_IN_ATTEMPTS_PER_CLIENT, 3600)
    except CountersUnavailable:
        raise _busy()
    if limited:
        raise SignInRefused(_("尝试次数过多，请一小时后再试，或拨打社区服务热线。"))
    person = Person.objects.filter(mobile=mobile).select_related("user").first()
    if person is None:
        raise SignInRefused(wrong)
    with transaction.atomic():
        device = MobileDevice.objects.select_for_update().filter(user=person.user).first()
        # A wrong try is counted (django-otp's back-off) and committed: the refusal comes after the block.
        verified = device is not None and device.verify_token(code)
        if verified:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            if person.verified_at is None:
                person.verified_at = timezone.now()
                person.save(update_fields=["verified_at"])
            if not person.user.is_active:
                person.user.is_active = True
                person.user.save(update_fields=["is_active"])
    if not verified:
        raise SignInRefused(wrong)
    return person


def sign_in(request, person):
    """Log the person in (a new session key) and let other apps link what is theirs."""
    login(request, person.user, backend=BACKEND)
    for hook in hooks.get_hooks(PERSON_VERIFIED_HOOK):
        hook(person)
