"""入盟申请: the merchant application wizard at /apply/, its thank-you page, and the status and
amend pages behind the applicant's private link.

The wizard follows the grievance wizard's rules (forms/wizard.py, forms/abuse.py); the review by
staff is in review.py and every change of state in transitions.py.
"""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from formtools.wizard.views import SessionWizardView

from alliance.models import Merchant
from alliance.validators import credit_code_check_passes
from casework.models import hash_secret
from portal import siteaddress
from portal.params import clean_text

from ..abuse import AbuseProtectionMixin
from ..fields import COMMUNITY_STEP, chosen_community
from ..models import ApplicationEvent, ApplicationPhoto, Convention, MerchantApplication
from ..proofs import proven, remember
from ..wizard import IntakeWizardMixin, just_submitted
from .forms import (
    AmendForm,
    ApplicantStep,
    ApplicationReviewStep,
    ConventionStep,
    OffersStep,
    PhotosStep,
    ShopCommunityStep,
    ShopStep,
)
from .submission import submit_application
from .transitions import TransitionError, perform

DONE_SESSION_KEY = "apply_done"


class ApplyWizard(AbuseProtectionMixin, IntakeWizardMixin, SessionWizardView):
    """入盟申请: one step per screen, seven steps, ending in one stored application."""

    form_list = [
        (COMMUNITY_STEP, ShopCommunityStep),
        ("shop", ShopStep),
        ("contact", ApplicantStep),
        ("offers", OffersStep),
        ("photos", PhotosStep),
        ("convention", ConventionStep),
        ("review", ApplicationReviewStep),
    ]
    template_name = "forms/apply/step.html"
    abuse_scope = "apply"
    restart_title = gettext_lazy("商户申请入盟")
    model = MerchantApplication
    done_session_key = DONE_SESSION_KEY
    thanks_url_name = "apply_thanks"
    expired_template = "forms/apply/expired.html"

    def dispatch(self, request, *args, **kwargs):
        # Without a published convention there is nothing to sign: say so instead of a dead end.
        if Convention.current() is None:
            return render(request, "forms/apply/unavailable.html", status=503)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "shop":
            kwargs["community"] = chosen_community(self)
        elif step == "photos":
            # Stored files are keyed by the prefixed field name, e.g. "photos-shop_front".
            stored = self.storage.get_step_files("photos") or {}
            kwargs["stored"] = {name.rsplit("-", 1)[-1] for name in stored}
        elif step == "convention":
            contact = self.get_cleaned_data_for_step("contact") or {}
            kwargs["contact_person"] = contact.get("contact_person", "")
        return kwargs

    def get_form_initial(self, step):
        if step == "convention":
            current = Convention.current()
            return {"convention": current.pk if current else None}
        return super().get_form_initial(step)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        step = self.steps.current
        if step == "convention":
            context["convention"] = Convention.current()
        elif step == "review":
            data = self.get_all_cleaned_data()
            code = data.get("credit_code", "")
            context["summary"] = {
                "data": data,
                "category_label": dict(Merchant.Category.choices).get(data.get("category"), ""),
                "photos": [PhotosStep.base_fields[name].label for name in PhotosStep.photo_fields if data.get(name)],
                "check_failed": bool(code) and not credit_code_check_passes(code),
            }
        return context

    def done(self, form_list, form_dict, **kwargs):
        photos_data = form_dict["photos"].cleaned_data
        photos = [
            (ApplicationPhoto.Kind.SHOP_FRONT, photos_data.get("shop_front")),
            (ApplicationPhoto.Kind.LICENCE, photos_data.get("licence")),
        ]
        application, secret = submit_application(
            self.submission_key(),
            shop=form_dict["shop"].cleaned_data,
            contact=form_dict["contact"].cleaned_data,
            offers=form_dict["offers"].cleaned_data,
            photos=[(kind, photo) for kind, photo in photos if photo],
            convention=form_dict["convention"].cleaned_data,
        )
        return self.finish(application, secret)


@never_cache
def apply_thanks(request):
    application, secret = just_submitted(request, DONE_SESSION_KEY, MerchantApplication.objects.all())
    if application is None:
        return redirect("apply")
    link = siteaddress.absolute(reverse("apply_status", args=[secret]), request) if secret else ""
    return render(request, "forms/apply/thanks.html", {"application": application, "private_link": link})


# --- Status and amending, through the private link -------------------------------------
#
# The links (/apply/status/<secret>/, /apply/amend/<secret>/) prove this browser may see the
# application (forms/proofs.py) and redirect to its address by reference, without the secret.

PROOF = "application"


def _land(request, secret, url_name):
    application = MerchantApplication.objects.filter(secret_hash=hash_secret(secret)).only("pk", "reference").first()
    if application is None:
        raise Http404(_gettext("链接无效或已过期。"))
    remember(request, PROOF, application.pk)
    target = reverse(url_name, args=[application.reference])
    # A POST from an amend page opened before: 307 keeps its form, so nothing typed is lost.
    return HttpResponseRedirect(target, status=307) if request.method == "POST" else redirect(target)


def _proven(request, reference):
    application = (
        MerchantApplication.objects.select_related("community", "grid", "merchant")
        .filter(reference=clean_text(reference, max_length=30))
        .first()
    )
    if application is None or not proven(request, PROOF, application.pk):
        raise Http404(_gettext("链接无效或已过期，请重新打开短信或邮件中的链接。"))
    return application


def apply_status(request, secret):
    return _land(request, secret, "apply_application")


@require_http_methods(["GET", "POST"])
def apply_amend(request, secret):
    return _land(request, secret, "apply_application_amend")


def application_status(request, reference):
    application = _proven(request, reference)
    show_note = application.shows_note_to_applicant
    return render(request, "forms/apply/status.html", {"application": application, "show_note": show_note})


@require_http_methods(["GET", "POST"])
def application_amend(request, reference):
    application = _proven(request, reference)
    status_page = reverse("apply_application", args=[application.reference])
    if application.state != MerchantApplication.State.MORE_INFO:
        # Already resubmitted (or decided): the status page says where it stands.
        return redirect(status_page)
    form = AmendForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        application=application,
    )
    if request.method == "POST" and form.is_valid():
        photos = [
            (kind, form.cleaned_data[kind]) for kind in ApplicationPhoto.Kind.values if form.cleaned_data.get(kind)
        ]
        try:
            perform(application, ApplicationEvent.Action.RESUBMIT, fields=form.cleaned_data, photos=photos)
        except TransitionError:
            pass  # resubmitted by a parallel request meanwhile: the status page says where it stands
        return redirect(status_page)
    return render(request, "forms/apply/amend.html", {"application": application, "form": form})
