"""民情反映: the grievance wizard at /report/, its thank-you page, and tracking at /track/."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from formtools.wizard.views import SessionWizardView

from casework.models import CaseCategory, GrievanceReport, hash_secret
from casework.submission import submit_report
from casework.transitions import TransitionError, rate
from portal import siteaddress
from portal.params import clean_text
from portal.ratelimit import (
    BUSY_MESSAGE,
    BUSY_RETRY_AFTER,
    CountersUnavailable,
    count_hit,
    exhausted,
    rate_limited,
    target_key,
)

from ..abuse import AbuseProtectionMixin
from ..fields import COMMUNITY_STEP, CommunityStep, chosen_community
from ..proofs import proven, remember
from ..wizard import IntakeWizardMixin, just_submitted
from .forms import CategoryStep, DetailsStep, LocationStep, RatingForm, ReporterStep, ReportReviewStep, TrackForm

DONE_SESSION_KEY = "report_done"


class ReportWizard(AbuseProtectionMixin, IntakeWizardMixin, SessionWizardView):
    """民情反映: one step per screen; reload keeps progress, Back keeps what was typed."""

    abuse_scope = "report"
    restart_title = gettext_lazy("我要反映问题")
    model = GrievanceReport
    done_session_key = DONE_SESSION_KEY
    thanks_url_name = "report_thanks"
    expired_template = "forms/report/expired.html"

    form_list = [
        ("category", CategoryStep),
        (COMMUNITY_STEP, CommunityStep),
        ("location", LocationStep),
        ("details", DetailsStep),
        ("contact", ReporterStep),
        ("review", ReportReviewStep),
    ]
    template_name = "forms/report/step.html"

    def get_form_kwargs(self, step=None):
        kwargs = super().get_form_kwargs(step)
        if step == "location":
            kwargs["community"] = chosen_community(self)
        return kwargs

    # --- rendering ----------------------------------------------------------------

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["emergency"] = self.steps.current == "category" or self._emergency_category()
        if self.steps.current == "review":
            context["summary"] = self._summary()
        return context

    def _emergency_category(self):
        """Whether the category chosen on step 1 asks for the emergency numbers again."""
        data = self.storage.get_step_data("category")
        category = (data and data.get("category-category")) or ""
        return (
            category.isascii()
            and category.isdigit()
            and (CaseCategory.objects.filter(pk=category, emergency_notice=True).exists())
        )

    def _summary(self):
        data = self.get_all_cleaned_data()
        photos = [name for name in LocationStep.photo_fields if data.get(name)]
        frequency = GrievanceReport.Frequency(data["frequency"]).label if data.get("frequency") else ""
        return {"data": data, "photo_count": len(photos), "frequency": frequency}

    # --- done -----------------------------------------------------------------------

    def done(self, form_list, form_dict, **kwargs):
        location = form_dict["location"].cleaned_data
        details = form_dict["details"].cleaned_data
        contact = form_dict["contact"].cleaned_data
        photos = [location[name] for name in LocationStep.photo_fields if location.get(name)]
        report, secret = submit_report(
            self.submission_key(),
            category=form_dict["category"].cleaned_data["category"],
            grid=location["grid"],
            area=location["area"],
            place_unsure=location["place_unsure"],
            address=location["address"],
            description=details["description"],
            since=details.get("since", ""),
            frequency=details.get("frequency", ""),
            contact=contact,
            photos=photos,
            channel=GrievanceReport.Channel.ONLINE,
        )
        return self.finish(report, secret)


@never_cache
def report_thanks(request):
    report, secret = just_submitted(request, DONE_SESSION_KEY, GrievanceReport.objects.select_related("category"))
    if report is None:
        return redirect("report")
    link = siteaddress.absolute(reverse("track_private", args=[secret]), request) if secret else ""
    return render(request, "forms/report/thanks.html", {"report": report, "private_link": link})


# --- tracking -------------------------------------------------------------------------

PROOF = "case"  # forms/proofs.py: what this browser proved, by reference + digits or the private link
TRACK_LIMIT = settings.INTAKE_TRACK_LIMIT  # wrong or right, per client per window
TRACK_WINDOW = 15 * 60
REFERENCE_WINDOW = 60 * 60


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST if request.method == "POST" else None)
    message = ""
    status = 200
    if request.method == "POST":
        too_many = _("查询次数过多，请 15 分钟后再试，或拨打社区服务热线。")
        try:
            limited = rate_limited(request, "track", TRACK_LIMIT, TRACK_WINDOW)
            reference = form.cleaned_data["reference"] if not limited and form.is_valid() else None
            # Guesses at one reference's four digits count from every client together.
            tries = target_key("track-reference", reference) if reference else None
            exhausted_here = bool(tries) and exhausted(tries, settings.INTAKE_TRACK_TRIES_PER_REFERENCE)
        except CountersUnavailable:
            # Lookups guess at references: none are answered while they cannot be counted.
            message, status, reference = str(BUSY_MESSAGE), 503, None
        else:
            if limited or exhausted_here:
                message, status, reference = too_many, 429, None
        if reference:
            report = GrievanceReport.objects.filter(
                reference=reference, anonymous=False, contact_purged_at__isnull=True
            ).first()
            if report and report.reporter_mobile[-4:] == form.cleaned_data["mobile_last4"]:
                remember(request, PROOF, report.pk)
                return redirect("track_report", reference=report.reference)
            try:
                count_hit(tries, REFERENCE_WINDOW)
            except CountersUnavailable:
                pass  # the store went away after the check: this wrong guess is answered all the same
            # One answer for every wrong combination: it does not reveal whether a reference exists.
            message = _("工单编号或手机号码后四位不正确，请核对后再试。")
    response = render(request, "forms/report/track_lookup.html", {"form": form, "message": message}, status=status)
    if status == 503:
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def _status_page(request, report):
    rating_form = None
    if report.is_rateable:
        rating_form = RatingForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and rating_form.is_valid():
            try:
                rate(report, rating_form.cleaned_data["rating"], rating_form.cleaned_data["comment"].strip())
            except TransitionError as error:
                rating_form.add_error(None, error.messages[0])
            else:
                return redirect(request.path)
    events = report.events.filter(public=True).order_by("created_at", "pk")
    return render(
        request,
        "forms/report/track_status.html",
        {"report": report, "events": events, "rating_form": rating_form, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
def track_report(request, reference):
    # Only reports this browser proved it knows (reference + last four digits, or the private link).
    reference = clean_text(reference, max_length=30)
    report = GrievanceReport.objects.select_related("category", "community", "grid").filter(reference=reference).first()
    if report is None or not proven(request, PROOF, report.pk):
        return redirect("track")
    return _status_page(request, report)


@require_http_methods(["GET", "POST"])
@login_required(login_url="sign_in")
def track_mine(request, reference):
    """A signed-in reporter's own case, from their 我的 page (linked to their account by mobile)."""
    reference = clean_text(reference, max_length=30)
    report = (
        GrievanceReport.objects.select_related("category", "community", "grid")
        .filter(reference=reference, reporter_user=request.user)
        .first()
    )
    if report is None:
        return redirect("my")
    return _status_page(request, report)


@require_http_methods(["GET", "POST"])
def track_private(request, secret):
    """The private link: proves this browser may see the case, then sends it to the case's address
    without the secret (307 for a POST from a page opened before, so a rating sent there still counts)."""
    report = GrievanceReport.objects.filter(secret_hash=hash_secret(secret)).only("pk", "reference").first()
    if report is None:
        raise Http404(_("链接无效或已过期。"))
    remember(request, PROOF, report.pk)
    target = reverse("track_report", args=[report.reference])
    return HttpResponseRedirect(target, status=307) if request.method == "POST" else redirect(target)
