"""What the security settings cannot say on their own: the admin's own CSP and a throttled admin login.

- Content-Security-Policy: django-csp sends settings.CONTENT_SECURITY_POLICY everywhere (strict: no
  inline script, no nonces, because the anonymous full-page cache would freeze a nonce into stored
  pages). The Wagtail admin is a third-party application that needs inline styles, so URLs under
  the admin get settings.CONTENT_SECURITY_POLICY_ADMIN instead; the public site stays strict.
- Admin login: Wagtail's login view uses the form named by WAGTAILADMIN_USER_LOGIN_FORM. This one
  counts failed logins per username and per client (portal/ratelimit.py, cache-backed, so every app
  server counts together) and refuses further attempts, even with the right password, once
  either count reaches its limit within the window. While the counters cannot be read (Redis down)
  no password is checked at all: the form says the system is busy (fail closed).
"""

import logging

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from .ratelimit import BUSY_MESSAGE, CountersUnavailable, client_key, count_hit, forget, read_count

logger = logging.getLogger(__name__)


# --- Content-Security-Policy ----------------------------------------------------------------


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, giving the Wagtail admin its own policy.

    A view that sets its own policy with django-csp's decorators keeps it; only responses that
    would get the site-wide policy are switched.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if getattr(request, "is_preview", False):
            # Wagtail renders a preview through the whole middleware stack with a dummy request
            # for the page's public URL: the public policy applies (the preview shows what
            # visitors get), except that the admin's preview panel must be able to frame it.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        elif parts.config is None and request.path_info.startswith(admin_prefix()):
            admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
            if admin_policy:
                parts.config = default_config(admin_policy["DIRECTIVES"])
        return parts


def admin_prefix():
    # Resolved per call (cheap, reverse() is cached by Django) so tests overriding URLs still work.
    return reverse("wagtailadmin_home")


# --- Admin login throttle -------------------------------------------------------------------


def _username_key(username):
    # Hashed so the cache holds no user names; case-folded so "Admin" and "admin" count together.
    digest = salted_hmac("portal.security.login", (username or "").strip().casefold()).hexdigest()[:32]
    return f"login-failures:user:{digest}"


def _client_failure_key(request):
    return f"login-failures:client:{client_key(request)}"


def _limits():
    return (
        getattr(settings, "ADMIN_LOGIN_FAILURE_LIMIT", 5),
        getattr(settings, "ADMIN_LOGIN_CLIENT_FAILURE_LIMIT", 20),
        getattr(settings, "ADMIN_LOGIN_FAILURE_WINDOW", 15 * 60),
    )


def login_locked(request, username):
    """True while this username or this client has used up its failed attempts.

    Raises CountersUnavailable when the counts cannot be read.
    """
    user_limit, client_limit, _window = _limits()
    return read_count(_username_key(username)) >= user_limit or read_count(_client_failure_key(request)) >= client_limit


def record_login_failure(request, username):
    _user_limit, _client_limit, window = _limits()
    try:
        count_hit(_username_key(username), window)
        count_hit(_client_failure_key(request), window)
    except CountersUnavailable:
        # Checked just before and now gone: this attempt already failed, and the next one is refused.
        logger.warning("Admin login failure not counted: counters unavailable")


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, refusing to check passwords for a username or client under lockout."""

    error_messages = {
        **LoginForm.error_messages,
        "throttled": _("登录失败次数过多，已暂时锁定。请 %(minutes)d 分钟后再试，或联系系统管理员。"),
        "busy": BUSY_MESSAGE,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail redeclares the field without a label, so Django falls back to the field's
        # English name ("Password") in every language.
        self.fields["password"].label = _("密码")

    def clean(self):
        username = self.cleaned_data.get("username")
        try:
            locked = self.request is not None and login_locked(self.request, username)
        except CountersUnavailable:
            logger.warning("Admin login refused: the failure counters are unavailable")
            raise ValidationError(self.error_messages["busy"], code="busy")
        if locked:
            # Checked before authenticating, so even the right password does not get in.
            logger.warning("Admin login refused during lockout")
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, _limits()[2] // 60)},
            )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            if self.request is not None:
                record_login_failure(self.request, username)
            raise
        if self.get_user() is not None:
            # The owner got in: their earlier typos no longer count. The client's count stays, so
            # an attacker with one valid account cannot wipe the record of guesses at others.
            forget(_username_key(username))
        return cleaned_data
