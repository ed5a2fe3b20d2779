"""The staff side of evaluation, in the Wagtail admin under 商户评选.

- a round's page: its state and settings, the move to the next state (审核 only), each shop's
  number of sheets per party (not who gave which score), the history of the round;
- the result with its computation, for staff at any state (the public sees it from 公示 on);
- 我的评分: a staff rater's rounds in scoring, their shops one at a time, their own sheets only.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from . import permissions as can
from . import results, transitions
from .cases import cases_by_shop, period
from .models import PARTIES, EvaluationRound, Party, RoundEvent, State
from .sheets import history, sheet_step, shops_with_progress


class EvaluationAdminView(WagtailAdminTemplateMixin, TemplateView):
    permission = None
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if self.permission is not None:
            can.require(self.permission, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class RoundView(EvaluationAdminView):
    template_name = "evaluation/admin/round.html"
    permission = staticmethod(can.can_view_rounds)
    page_title = gettext_lazy("评选")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.round = get_object_or_404(EvaluationRound, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.round.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = {
            f"sheets_{p}": Count("score_sheets", filter=Q(score_sheets__round=self.round, score_sheets__party=p))
            for p in PARTIES
        }
        shops = self.round.shops.annotate(**counts).order_by("name", "pk")
        user = self.request.user
        context.update(
            round=self.round,
            shops=[(shop, [getattr(shop, f"sheets_{p}") for p in PARTIES]) for shop in shops],
            parties=[Party(p).label for p in PARTIES],
            actions=transitions.MACHINE.allowed(self.round) if can.can_manage_rounds(user) else [],
            events=self.round.events.select_related("actor"),
            community_raters=list(self.round.community_raters.order_by("username")),
            chamber_raters=list(self.round.chamber_raters.order_by("username")),
            communities=list(self.round.communities.order_by("name")),
            can_edit=can.can_edit_rounds(user) and self.round.state == State.DRAFT,
            edit_url=reverse("wagtailsnippets_evaluation_evaluationround:edit", args=[self.round.pk]),
        )
        return context


class TransitionView(RoundView):
    http_method_names = ["post"]
    permission = staticmethod(can.can_manage_rounds)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in transitions.MACHINE:
            messages.error(request, _("没有这个操作。"))
            return redirect("evaluation_admin:round", pk=self.round.pk)
        try:
            transitions.perform(self.round, action, request.user, note=request.POST.get("note", "")[:500])
        except transitions.TransitionError as refused:
            messages.error(request, refused.messages[0])
        else:
            label = RoundEvent.Action(action).label
            messages.success(request, _("已%(action)s：%(title)s") % {"action": label, "title": self.round.title})
        return redirect("evaluation_admin:round", pk=self.round.pk)


class ResultView(RoundView):
    template_name = "evaluation/admin/result.html"
    page_title = gettext_lazy("评选结果")

    def get_context_data(self, **kwargs):
        context = super(RoundView, self).get_context_data(**kwargs)
        computed = results.compute(self.round)
        cases = cases_by_shop(self.round, [r.merchant.pk for r in computed])
        first, last, _start, _end = period(self.round)
        for result in computed:
            result.cases = cases[result.merchant.pk]
        context.update(round=self.round, results=computed, staff_view=True, period=(first, last))
        return context


# --- A staff rater's sheets ---------------------------------------------------------------------


class MyRoundsView(EvaluationAdminView):
    template_name = "evaluation/admin/my_rounds.html"
    page_title = gettext_lazy("我的评分")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["rounds"] = (
            EvaluationRound.objects.filter(state=State.SCORING)
            .filter(Q(community_raters=user) | Q(chamber_raters=user))
            .distinct()
            .order_by("closes_on", "pk")
        )
        return context


class RaterMixin:
    """Loads the round for a staff rater named on it; anyone else gets 404, not a hint it exists."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.round = get_object_or_404(EvaluationRound.objects.exclude(state=State.DRAFT), pk=kwargs["pk"])
        self.party = self.round.staff_party_of(request.user) if request.user.is_authenticated else None
        if self.party is None:
            raise Http404(_("您不是这次评选的评分人。"))

    def get_page_subtitle(self):
        return f"{self.round.title} · {Party(self.party).label}"


class RaterShopsView(RaterMixin, EvaluationAdminView):
    template_name = "evaluation/admin/rater_shops.html"
    page_title = gettext_lazy("我的评分")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = shops_with_progress(self.round, self.request.user)
        context.update(
            round=self.round,
            progress=progress,
            done=sum(1 for _shop, sheet in progress if sheet),
            sheet_url_name="evaluation_admin:sheet",
        )
        return context


class RaterSheetView(RaterMixin, EvaluationAdminView):
    template_name = "evaluation/admin/sheet.html"
    page_title = gettext_lazy("评分表")
    http_method_names = ["get", "post"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.merchant = get_object_or_404(self.round.shops.all(), pk=kwargs["merchant_pk"])

    def get_page_subtitle(self):
        return self.merchant.name

    def handle(self, request):
        response, form, refusal = sheet_step(
            request,
            self.round,
            self.merchant,
            request.user,
            self.party,
            sheet_url=lambda shop: reverse("evaluation_admin:sheet", args=[self.round.pk, shop.pk]),
            list_url=reverse("evaluation_admin:shops", args=[self.round.pk]),
        )
        if response is not None:
            return response
        context = self.get_context_data(form=form, refusal=refusal)
        return self.render_to_response(context, status=200)

    def get(self, request, *args, **kwargs):
        return self.handle(request)

    def post(self, request, *args, **kwargs):
        return self.handle(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first, last, _start, _end = period(self.round)
        context.update(
            round=self.round,
            merchant=self.merchant,
            party_label=Party(self.party).label,
            list_url=reverse("evaluation_admin:shops", args=[self.round.pk]),
            shop_cases=cases_by_shop(self.round, [self.merchant.pk])[self.merchant.pk],
            history=history(self.round, self.merchant, self.request.user),
            period=(first, last),
        )
        return context
