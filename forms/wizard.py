"""What every public intake wizard shares: reload keeps progress, Back keeps entries, an
expired session is told plainly, and the final step is idempotent through a submission key.

Both the grievance wizard (forms/report) and the merchant application wizard (forms/apply) use
it, with forms/abuse.py in front, so they behave alike.

The step a browser posts (`<prefix>-current_step`, `wizard_goto_step`) is checked before formtools
sees it: only a step of this wizard that this browser has already been shown is accepted. Anything
else (a made-up or empty value, a NUL byte, ten thousand characters, a step of the other wizard, a
step not yet reached) gets the step the browser is really at, with a plain message and 400: never
a 500, never a way to skip ahead, and the log holds a short escaped excerpt, not the value.
Uploaded files are kept under safe_file_name (portal/uploads.py), whatever name the browser sent.
"""

import json
import logging
import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from formtools.wizard.storage.session import SessionStorage

from portal.uploads import SanitisedImage, safe_file_name

logger = logging.getLogger(__name__)

KEY_FIELD = "submission_key"
LINK_COOKIE_SALT = "forms.wizard.private-link"
RESTART_FIELD = "wizard_restart"
# extra_data: the index of the furthest step this browser has been shown.
REACHED_KEY = "reached"
GOTO_FIELD = "wizard_goto_step"


class IntakeSessionStorage(SessionStorage):
    """formtools' session storage, noting which kept files are photos we re-encoded ourselves.

    A photo is decoded and re-encoded once, when it is posted; the wizard keeps that clean image,
    and when it reads it back (review page, final step) the file says so (`kept_sanitised`), so
    PhotoField takes it as it is. The mark lives in the server-side session only: nothing a
    browser sends can set it, and a file kept without it (an older session) is sanitised again.
    """

    SANITISED = "sanitised"

    def set_step_files(self, step, files):
        super().set_step_files(step, files)
        kept = self.data[self.step_files_key].get(step, {})
        for field, field_file in (files or {}).items():
            if isinstance(field_file, SanitisedImage):
                kept[field][self.SANITISED] = True
                self.data[self.step_files_key][step] = kept

    def get_step_files(self, step):
        stored = self.data[self.step_files_key].get(step, {})
        marked = {field for field, info in stored.items() if info.pop(self.SANITISED, False)}
        try:
            files = super().get_step_files(step)
        finally:
            for field in marked:
                stored[field][self.SANITISED] = True
        for field in marked & set(files or {}):
            files[field].kept_sanitised = True
        return files


def excerpt(value, length=40):
    """A value from a request, for the log: its first characters escaped (repr), and its length."""
    if value is None:
        return "(missing)"
    text = repr(value[:length])
    return text if len(value) <= length else f"{text}… ({len(value)} characters)"


class IntakeWizardMixin:
    """Mix into a formtools SessionWizardView.

    Subclasses set `model` (with a unique `submission_key`), `done_session_key`,
    `thanks_url_name` and `expired_template`.
    """

    storage_name = "forms.wizard.IntakeSessionStorage"
    model = None
    restart_title = ""
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

    restart_template = "forms/restart_confirm.html"

    def get(self, request, *args, **kwargs):
        # formtools restarts on every GET; we only restart when asked, so a reload keeps progress.
        if request.GET.get("restart") == "1" and self.has_progress():
            # Asked by a link, which stays in the history: confirm first, and wipe only on POST.
            return render(request, self.restart_template, {"wizard_url": request.path, "title": self.restart_title})
        if request.GET.get("restart") == "1" or self.storage.current_step is None:
            self.reset()
        elif self.storage.current_step not in self.get_form_list():
            # A session holding a step this wizard does not have (written before steps were
            # checked, or by a wizard whose steps changed since): back to the start, entries kept.
            self.storage.current_step = self.steps.first
        self.submission_key()
        step = self.steps.current
        data = self.storage.get_step_data(step)
        return self.render(
            self.get_form(data=data, files=self.storage.get_step_files(step)) if data else self.get_form()
        )

    def has_progress(self):
        """Whether anything has been typed that a restart would throw away."""
        data = self.storage.data.get(self.storage.step_data_key) or {}
        return any(data.values())

    def reset(self):
        self.storage.reset()
        self.storage.current_step = self.steps.first

    def post(self, request, *args, **kwargs):
        if request.POST.get(RESTART_FIELD) == "1":
            # The confirmed restart: wipe, then land on the wizard's own address (no ?restart in history).
            self.reset()
            return redirect(request.path)
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
        goto = request.POST.get(GOTO_FIELD, "")
        if goto and not self.reached(goto):
            return self.refuse_step(GOTO_FIELD, goto)
        posted_step = request.POST.get(f"{self.prefix}-current_step")
        if not goto and not self.reached(posted_step):
            return self.refuse_step("current_step", posted_step)
        return super().post(request, *args, **kwargs)

    # --- which steps a browser may post -------------------------------------------------------

    def reached(self, step):
        """True when `step` is a step of this wizard that this browser has already been shown."""
        steps = list(self.get_form_list())
        if step not in steps:
            return False
        current = self.storage.current_step
        furthest = self.storage.extra_data.get(REACHED_KEY)
        furthest = max(steps.index(current) if current in steps else 0, furthest if isinstance(furthest, int) else 0)
        return steps.index(step) <= furthest

    def refuse_step(self, field, value):
        """The step the browser is really at, with a plain message (400); what was typed there is kept."""
        logger.warning("Wizard %s: refused %s %s", self.prefix, field, excerpt(value))
        step = self.steps.current
        if step not in self.get_form_list():
            step = self.storage.current_step = self.steps.first
        stored = self.storage.get_step_data(step)
        if any(name.startswith(f"{step}-") for name in self.request.POST):  # typed on this step's page
            form = self.get_form(step=step, data=self.request.POST, files=self.request.FILES)
        elif stored:
            form = self.get_form(step=step, data=stored, files=self.storage.get_step_files(step))
        else:
            form = self.get_form(step=step)
        response = self.render(
            form,
            wizard_notice=_("页面上的步骤信息有误，已回到您正在填写的这一步，请核对后继续。"),
        )
        response.status_code = 400
        return response

    def render_goto_step(self, goto_step, **kwargs):
        # Keep what was typed on this step, valid or not, so Back never loses work.
        current = self.steps.current
        if self.request.POST and current in self.get_form_list():
            form = self.get_form(data=self.request.POST, files=self.request.FILES)
            self.storage.set_step_data(current, self.process_step(form))
            self.keep_valid_uploads(form)
        return super().render_goto_step(goto_step, **kwargs)

    def render(self, form=None, **kwargs):
        # formtools stores a step's files only when the whole step is valid; an error in another
        # field would silently drop the photo that was just chosen (the address was kept).
        if form is not None and form.is_bound and self.request.method == "POST" and form.errors:
            self.keep_valid_uploads(form)
        return super().render(form, **kwargs)

    def keep_valid_uploads(self, form):
        """Store the files just uploaded to `form` that passed their own field's checks."""
        uploads = {
            form.add_prefix(name): _cleaned_upload(form, name, self.request.FILES[form.add_prefix(name)])
            for name in form.fields
            if form.add_prefix(name) in self.request.FILES and name not in form.errors
        }
        for upload in uploads.values():
            upload.name = safe_file_name(upload.name)
        # set_step_files adds or replaces per field: photos kept from before stay as they are.
        self.storage.set_step_files(self.steps.current, uploads)

    # No clean-up of our own after done(): formtools' storage.reset() deletes the temporary files
    # by their stored names. Deleting by the upload's original name would hit another
    # resident's pending photo that happens to hold that name.

    def process_step_files(self, form):
        # Photos uploaded on an earlier visit to this step stay unless replaced.
        kept = dict(self.storage.get_step_files(self.steps.current) or {})
        uploaded = dict((super().process_step_files(form) or {}).items())  # MultiValueDict: one file per field
        for name, upload in uploaded.items():
            # formtools saves the temporary file, and keeps the name in the session, as sent.
            uploaded[name] = upload = _cleaned_upload(form, name.removeprefix(form.add_prefix("")), upload)
            upload.name = safe_file_name(upload.name)
        kept.update(uploaded)
        return kept

    def get_cleaned_data_for_step(self, step):
        """formtools validates the step again on every call, and one request asks several times (the
        community for the place step's choices, the review's summary): once per request and content."""
        files = self.storage.data.get(self.storage.step_files_key, {}).get(step)
        key = (step, json.dumps([self.storage.data.get(self.storage.step_data_key, {}).get(step), files], default=str))
        memo = self.__dict__.setdefault("_cleaned_for_step", {})
        if key not in memo:
            memo[key] = super().get_cleaned_data_for_step(step)
        return memo[key]

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
        steps = list(self.get_form_list())
        if self.steps.current in steps:
            extra = self.storage.extra_data
            shown = steps.index(self.steps.current)
            if not isinstance(extra.get(REACHED_KEY), int) or extra[REACHED_KEY] < shown:
                extra[REACHED_KEY] = shown
                self.storage.extra_data = extra
        context = super().get_context_data(form=form, **kwargs)
        stored = self.storage.get_step_files(self.steps.current) or {}
        context.update(
            # The labels of this step's photos already kept, so the page can say they need no re-upload.
            stored_photos=[field.label for name, field in form.fields.items() if form.add_prefix(name) in stored],
            submission_key=self.submission_key(),
            step_title=form.title,
            step_titles=[(name, self.form_list[name].title) for name in self.get_form_list()],
        )
        return context


def _cleaned_upload(form, name, upload):
    """What to keep of an upload: the field's own re-encoded photo when it made one, else the upload."""
    cleaned = getattr(form, "cleaned_data", {}).get(name)
    return cleaned if isinstance(cleaned, SanitisedImage) else upload


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
