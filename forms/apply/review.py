"""Review of merchant applications in the Wagtail admin: list, detail with its history, photos, decisions.

Who may review is decided in permissions.py; every view checks it on the object, not only the
menu. Decisions go through transitions.py, which records each one.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from alliance.models import Merchant
from portal import params

from ..models import ApplicationPhoto, MerchantApplication
from .permissions import applications_visible_to, can_review_any, communities_reviewed_by
from .transitions import REVIEW_ACTIONS, TransitionError, perform, review_actions

PAGE_SIZE = 50
State = MerchantApplication.State

DONE_MESSAGES = {
    "approve": _("已通过：“%(name)s”已成为联盟商户，商户名录中已可看到。"),
    "more_info": _("已请申请人补充材料，申请人可通过查询链接修改后重新提交。"),
    "reject": _("已标记为未通过，申请人可以看到理由。"),
}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明（申请人可以看到）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _application_for(request, pk):
    """The application if this user may review it, else 404 (another community's application is
    not confirmed to exist, as casework's visible_case does for cases)."""
    return get_object_or_404(applications_visible_to(request.user), pk=pk)


def _refuse(request):
    messages.error(request, _gettext("您没有审核入盟申请的权限。"))
    return redirect("wagtailadmin_home")


def application_list(request):
    if not can_review_any(request.user):
        return _refuse(request)
    applications = applications_visible_to(request.user).select_related("community", "grid")
    state = request.GET.get("state", "")
    community_id = request.GET.get("community", "")
    query = params.text(request, "q", 50)
    if state in State.values:
        applications = applications.filter(state=state)
    if (community := params.whole_number(community_id)) is not None:
        applications = applications.filter(community_id=community)
    if query:
        applications = applications.filter(
            Q(reference__icontains=query)
            | Q(shop_name__icontains=query)
            | Q(credit_code__icontains=query)
            | Q(address__icontains=query)
        )
    # Staff paging is lenient (Django's get_page): a stale page number shows the last page.
    page = Paginator(applications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "forms/apply/admin/index.html",
        {
            "page_title": _gettext("入盟申请"),
            "header_title": _gettext("入盟申请"),
            "header_icon": "form",
            "applications": page,
            "states": State.choices,
            "communities": communities_reviewed_by(request.user),
            "current_state": state,
            "current_community": community_id,
            "query": query,
        },
    )


def application_detail(request, pk):
    if not can_review_any(request.user):
        return _refuse(request)
    application = _application_for(request, pk)
    member = (
        Merchant.objects.members()
        .filter(credit_code=application.credit_code)
        .exclude(pk=application.merchant_id)
        .first()
    )
    return render(
        request,
        "forms/apply/admin/detail.html",
        {
            "page_title": _gettext("入盟申请 %(reference)s") % {"reference": application.reference},
            "header_title": application.reference,
            "header_icon": "form",
            "application": application,
            "photos": application.photos.all(),
            "events": application.events.select_related("actor"),
            "existing_member": member,
            "other_applications": applications_visible_to(request.user)
            .filter(credit_code=application.credit_code)
            .exclude(pk=application.pk)
            .order_by("-created_at"),
            # One form per decision that needs a note, with ids of its own on the one page.
            "note_forms": {action: NoteForm(auto_id=f"{action}-%s") for action in ("more_info", "reject")},
            "actions": review_actions(application),
            # After a refused attempt the page opens that action's form again.
            "reopened": request.GET.get("open", ""),
        },
    )


@require_POST
def application_action(request, pk, action):
    if action not in REVIEW_ACTIONS:
        raise Http404
    if not can_review_any(request.user):
        return _refuse(request)
    application = _application_for(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        application, _event = perform(application, action, request.user, note=note)
    except TransitionError as error:
        messages.error(request, error.messages[0])
        return redirect(reverse("applications:detail", args=[pk]) + f"?open={action}#action-{action}")
    messages.success(request, DONE_MESSAGES[action] % {"name": application.shop_name})
    return redirect("applications:detail", pk=pk)


def application_photo(request, pk):
    """A private photo, only for those who may review its application."""
    photo = get_object_or_404(ApplicationPhoto.objects.select_related("application"), pk=pk)
    if not applications_visible_to(request.user).filter(pk=photo.application_id).exists():
        raise Http404
    return photo.response()
