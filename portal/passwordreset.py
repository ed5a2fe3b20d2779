"""The Wagtail admin's password reset, throttled and sent after the response.

Wagtail's form (WAGTAILADMIN_USER_PASSWORD_RESET_FORM) sends a mail to every active user with
that address, as often as it is asked. This one counts each request per address (case-folded,
kept as a keyed hash) and per client in the shared cache (portal/ratelimit.py), counted alike
whether or not the address belongs to anyone, and past either limit sends nothing. The page
answers the same for every address, and the mail itself goes out in a task enqueued on commit, so a
real address does not make the answer slower either. Past a limit the page also says, in plain
words, that nothing more was sent and when to try again: the limits count requests, not accounts,
so that says nothing about whether the address has one.
"""

import logging
import math
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.admin.forms.auth import PasswordResetForm

from .notifications import enqueue_on_commit
from .ratelimit import count_hit, rate_limited

logger = logging.getLogger(__name__)

# What Wagtail's PasswordResetView hands to save(); the task sends the same mail.
SUBJECT_TEMPLATE = "wagtailadmin/account/password_reset/email_subject.txt"
EMAIL_TEMPLATE = "wagtailadmin/account/password_reset/email.txt"


def _address_key(email):
    digest = salted_hmac("portal.passwordreset.address", email.strip().casefold()).hexdigest()[:32]
    return f"password-reset:address:{digest}"


def reset_allowed(request, email):
    """Count this request; False once the client or the address is over its limit in the window."""
    window = settings.PASSWORD_RESET_WINDOW
    if rate_limited(request, "password-reset", settings.PASSWORD_RESET_REQUESTS_PER_CLIENT, window):
        return False
    return count_hit(_address_key(email), window) <= settings.PASSWORD_RESET_EMAILS_PER_ADDRESS


class ThrottledPasswordResetForm(PasswordResetForm):
    def save(self, *args, request=None, use_https=False, **kwargs):
        email = self.cleaned_data["email"]
        if request is None or reset_allowed(request, email):
            enqueue_on_commit(send_password_reset, email)
        else:
            # No address in the log: it would be personal data, and a list of who was targeted.
            logger.warning("Password reset mail withheld: request limit reached")
            messages.warning(request, too_many_message())


def too_many_message():
    """What the page says past a limit: the same whether or not the address has an account."""
    minutes = max(1, math.ceil(settings.PASSWORD_RESET_WINDOW / 60))
    return _(
        "重置密码的申请太频繁，这次没有再发送邮件。如果这个邮箱有账号，之前发出的重置邮件仍然有效，"
        "请查看收件箱和垃圾邮件；也可以 %(minutes)d 分钟后再试，或请管理员帮您重置。"
    ) % {"minutes": minutes}


@task()
def send_password_reset(email):
    """Wagtail's reset mail to each active user with a usable password at `email` (none: nothing)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    # Links start from WAGTAILADMIN_BASE_URL (Wagtail's mail template uses it), never from a request's Host.
    base = urllib.parse.urlsplit(settings.WAGTAILADMIN_BASE_URL)
    DjangoPasswordResetForm.save(
        form,
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
        domain_override=base.netloc,
        use_https=base.scheme == "https",
    )
    return len(users)
