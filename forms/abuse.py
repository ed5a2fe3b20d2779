"""Keeping bots and floods out of the public forms without a CAPTCHA service.

- CSRF: Django's middleware; every form carries the token.
- A honeypot field (`website`) hidden from people and assistive technology; a bot that fills it
  is shown the same redirect to the thank-you page as a person, but nothing is stored. Telling
  a bot it was caught only teaches it to stop filling the field.
- A minimum fill time: a final submit sooner than settings.INTAKE_MIN_FILL_SECONDS after the
  wizard started is refused with a message; the entries stay in the wizard.
- A limit on completed submissions per client and hour (portal/ratelimit.py counts them in the
  shared cache, so all app servers count together). When the count cannot be kept (the cache is
  down) the submission is refused with a plain "busy" message and the entries stay in the wizard.
"""

import logging
import time

from django.conf import settings
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.ratelimit import BUSY_MESSAGE, BUSY_RETRY_AFTER, CountersUnavailable, rate_limited

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
STARTED_KEY = "started_at"
TRAPPED_KEY = "honeypot"


def submission_limited(request, scope):
    """The limit on completed submissions of a public form (settings.INTAKE_SUBMISSION_*)."""
    return rate_limited(
        request,
        f"submit:{scope}",
        getattr(settings, "INTAKE_SUBMISSION_LIMIT", 5),
        getattr(settings, "INTAKE_SUBMISSION_WINDOW", 60 * 60),
    )


# --- honeypot and fill time -----------------------------------------------------------------


def honeypot_filled(request):
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def too_fast(started_at, now=None):
    minimum = getattr(settings, "INTAKE_MIN_FILL_SECONDS", 8)
    if not minimum:
        return False
    if started_at is None:
        # No start recorded (a session from before this check existed): do not punish the resident.
        return False
    return ((now or time.time()) - started_at) < minimum


class AbuseProtectionMixin:
    """Mix into a formtools SessionWizardView (before it in the bases) to protect its final submit.

    Subclasses set `abuse_scope` (the rate-limit bucket) and `thanks_url_name` (where a caught bot
    is sent, as a person would be). The step template includes forms/honeypot.html.
    """

    # No default for thanks_url_name: it would hide the one IntakeWizardMixin subclasses set.
    abuse_scope = "wizard"

    def get_context_data(self, form, **kwargs):
        extra = self.storage.extra_data
        if STARTED_KEY not in extra:
            # First render after a (re)start: the clock for the minimum fill time starts here.
            extra[STARTED_KEY] = time.time()
            self.storage.extra_data = extra
        context = super().get_context_data(form=form, **kwargs)
        context["honeypot_field"] = HONEYPOT_FIELD
        return context

    def post(self, request, *args, **kwargs):
        if honeypot_filled(request) and self.storage.current_step is not None:
            # Remembered for the final step: a bot may fill it on any page.
            extra = self.storage.extra_data
            extra[TRAPPED_KEY] = True
            self.storage.extra_data = extra
        return super().post(request, *args, **kwargs)

    def render_done(self, form, **kwargs):
        extra = self.storage.extra_data
        if extra.get(TRAPPED_KEY):
            logger.info("Honeypot filled on %s; submission discarded", self.abuse_scope)
            self.discard_submission()
            return redirect(self.thanks_url_name)
        if too_fast(extra.get(STARTED_KEY)):
            form.add_error(None, _("您提交得太快了。请核对以上内容，稍等几秒后再点“提交”。"))
            return self.render(form)
        try:
            limited = submission_limited(self.request, self.abuse_scope)
        except CountersUnavailable:
            logger.warning("Submission of %s refused: counters unavailable", self.abuse_scope)
            form.add_error(None, _("%(busy)s您填写的内容已保留，稍后再点“提交”即可。") % {"busy": BUSY_MESSAGE})
            response = self.render(form)
            response.status_code = 503
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response
        if limited:
            form.add_error(None, _("提交次数过多，请一小时后再试，或拨打社区服务热线反映。"))
            response = self.render(form)
            response.status_code = 429
            return response
        return super().render_done(form, **kwargs)

    def discard_submission(self):
        """Forget the wizard's entries and temporary files without storing anything."""
        for step in self.get_form_list():
            for upload in (self.storage.get_step_files(step) or {}).values():
                self.file_storage.delete(upload.name)
        self.storage.reset()
