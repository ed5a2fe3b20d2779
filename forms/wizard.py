"""What every public intake wizard shares: reload keeps progress, Back keeps entries, an
expired session is told plainly, and the final step is idempotent through a submission key.

Both the grievance wizard (forms/report) and the merchant application wizard (forms/apply) use
it, with forms/abuse.py in front, so they behave alike.
"""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.shortcuts import redirect, render
from django.urls import reverse

KEY_FIELD = "submission_key"
LINK_COOKIE_SALT = "forms.wizard.private-link"


class IntakeWizardMixin:
    """Mix into a formtools SessionWizardView.

    Subclasses set `model` (with a unique `submission_key`), `done_session_key`,
    `thanks_url_name` and `expired_template`.
    """

    model = None
    done_session_key = ""
    thanks_url_name = ""
    expired_template = ""

    @property
    def file_storage(self):
        return storages["wizard_uploads"]

    def submission_key(self):
        extra = self.storage.extra_data
        if KEY_FIELD not in extra:
            extra[KEY_FIELD] = secrets.token_urlsafe(24)
            self.storage.extra_data = extra
        return extra[KEY_FIELD]

    def get(self, request, *args, **kwargs):
        # formtools restarts on every GET; we only restart when asked, so a reload keeps progress.
        if request.GET.get("restart") == "1" or self.storage.current_step is None:
            self.storage.reset()
            self.storage.current_step = self.steps.first
        self.submission_key()
        step = self.steps.current
        data = self.storage.get_step_data(step)
        return self.render(
            self.get_form(data=data, files=self.storage.get_step_files(step)) if data else self.get_form()
        )

    def post(self, request, *args, **kwargs):
        posted_key = request.POST.get(KEY_FIELD, "")
        done = request.session.get(self.done_session_key) or {}
        if posted_key and (
            done.get("key") == posted_key or self.model.objects.filter(submission_key=posted_key).exists()
        ):
            # A second click, a resubmit after Back, or a parallel post of a finished submission.
            return redirect(self.thanks_url_name)
        if self.storage.current_step is None or posted_key != self.storage.extra_data.get(KEY_FIELD):
            # The session expired (or the form came from another session): say so plainly.
            return render(request, self.expired_template, status=400)
        return super().post(request, *args, **kwargs)

    def render_goto_step(self, goto_step, **kwargs):
        # Keep what was typed on this step, valid or not, so Back never loses work.
        current = self.steps.current
        if self.request.POST and current in self.get_form_list():
            form = self.get_form(data=self.request.POST, files=self.request.FILES)
            self.storage.set_step_data(current, self.process_step(form))
        return super().render_goto_step(goto_step, **kwargs)

    # No clean-up of our own after done(): formtools' storage.reset() deletes the temporary files
    # by their stored names. Deleting by the upload's original name would hit another
    # resident's pending photo that happens to hold that name.

    def process_step_files(self, form):
        # Photos uploaded on an earlier visit to this step stay unless replaced.
        kept = dict(self.storage.get_step_files(self.steps.current) or {})
        kept.update((super().process_step_files(form) or {}).items())  # MultiValueDict: one file per field
        return kept

    def finish(self, record, secret):
        """After done() stored `record`: remember it for the thank-you page and go there.

        The session keeps the reference and the submission key, never the private link's secret:
        that rides in a signed cookie for the thank-you page alone, for PRIVATE_LINK_SHOWN_SECONDS.
        A repeated post of the same submission (secret None) keeps what the first one set.
        """
        response = redirect(self.thanks_url_name)
        if secret:
            self.request.session[self.done_session_key] = {"key": record.submission_key, "reference": record.reference}
            response.set_signed_cookie(
                _link_cookie(self.done_session_key),
                secret,
                salt=LINK_COOKIE_SALT,
                max_age=settings.PRIVATE_LINK_SHOWN_SECONDS,
                path=reverse(self.thanks_url_name),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
        return response

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context.update(
            submission_key=self.submission_key(),
            step_title=form.title,
            step_titles=[(name, self.form_list[name].title) for name in self.get_form_list()],
        )
        return context


def _link_cookie(session_key):
    return f"{session_key}_link"


def just_submitted(request, session_key, queryset):
    """(the record this browser just submitted, its private-link secret or "" once the hour is over)."""
    done = request.session.get(session_key) or {}
    if "secret" in done:
        # Written by an older release: the secret leaves the session store at the first look.
        request.session[session_key] = {k: v for k, v in done.items() if k != "secret"}
    reference = done.get("reference")
    record = queryset.filter(reference=reference).first() if reference else None
    if record is None:
        return None, ""
    secret = request.get_signed_cookie(
        _link_cookie(session_key), default="", salt=LINK_COOKIE_SALT, max_age=settings.PRIVATE_LINK_SHOWN_SECONDS
    )
    return record, secret if secret and record.check_secret(secret) else ""
