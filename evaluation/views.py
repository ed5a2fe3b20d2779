"""The public side of evaluation: residents' scoring on 我的 (/my/evaluation/…), and a round's
result with its computation from 公示 on (/evaluation/<pk>/), so a shop can check its score.

A resident is any verified account signed in by SMS; they see and change only their own sheets.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Person

from . import results
from .models import EvaluationRound, Party, ScoreSheet, State
from .sheets import history, sheet_step, shops_with_progress


def _resident(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None or not person.is_verified or person.closed_at is not None:
        raise Http404(_("请用手机号码登录后再评分。"))
    return person


def _open_round(pk):
    """A round residents may score now; anything else is 404."""
    round_ = get_object_or_404(EvaluationRound.objects.filter(state=State.SCORING), pk=pk)
    if not round_.scoring_open_on():
        raise Http404(_("这次评选现在不在评分期。"))
    return round_


def my_scoring_section(request, person):
    """评选打分 on 我的: the rounds open for scoring now, with how many shops this person scored."""
    today = timezone.localdate()
    rounds = list(EvaluationRound.objects.filter(state=State.SCORING, opens_on__lte=today, closes_on__gte=today))
    if not rounds or not person.is_verified:
        return None
    done = dict(
        ScoreSheet.objects.filter(round__in=rounds, rater=person.user).values_list("round_id").annotate(n=Count("pk"))
    )
    return {
        "slug": "evaluation",
        "title": _("商户评选打分"),
        "template": "evaluation/my_section.html",
        "rounds": [(r, done.get(r.pk, 0)) for r in rounds],
        "order": 20,
    }


@login_required(login_url="sign_in")
def my_round(request, pk):
    person = _resident(request)
    round_ = _open_round(pk)
    progress = shops_with_progress(round_, person.user)
    return render(
        request,
        "evaluation/my_round.html",
        {"round": round_, "progress": progress, "done": sum(1 for _shop, sheet in progress if sheet)},
    )


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def my_sheet(request, pk, merchant_pk):
    person = _resident(request)
    round_ = _open_round(pk)
    merchant = get_object_or_404(round_.shops.all(), pk=merchant_pk)
    response, form, refusal = sheet_step(
        request,
        round_,
        merchant,
        person.user,
        Party.RESIDENT,
        sheet_url=lambda shop: reverse("evaluation_my_sheet", args=[round_.pk, shop.pk]),
        list_url=reverse("evaluation_my_round", args=[round_.pk]),
    )
    if response is not None:
        return response
    context = {
        "round": round_,
        "merchant": merchant,
        "form": form,
        "refusal": refusal,
        "party_label": _("居民"),
        "history": history(round_, merchant, person.user),
    }
    return render(request, "evaluation/my_sheet.html", context)


def result(request, pk):
    """A round's result, public from 公示 on: every shop's computation and the ranking."""
    round_ = get_object_or_404(EvaluationRound.objects.filter(state__in=[State.PUBLISHED, State.FINAL]), pk=pk)
    return render(request, "evaluation/result.html", {"round": round_, "results": results.compute(round_)})
