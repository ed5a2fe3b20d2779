"""Review of merchant applications in the Wagtail admin: list, detail, photos and decisions.

Who may review: a superuser, the 审核 group (the office's moderators, all communities) and a
community's own moderators (Community.moderators) for that community. Every view checks
this on the object, not only the menu. A decision is one transaction: approving creates or
updates the alliance Merchant (matched by credit code) as a member with the shop-front photo
copied into Wagtail's image library, so the public directory shows it at once.
"""

import mimetypes
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.images import get_image_model

from alliance.models import Community, Merchant

from .models import ApplicationPhoto, MerchantApplication
from .notifications import notify_application_update

MODERATORS_GROUP = "审核"
PAGE_SIZE = 50
State = MerchantApplication.State

# One table of allowed decisions: action → states it may start from, and the state it leads to.
TRANSITIONS = {
    "approve": ({State.SUBMITTED, State.MORE_INFO}, State.APPROVED),
    "more_info": ({State.SUBMITTED}, State.MORE_INFO),
    "reject": ({State.SUBMITTED, State.MORE_INFO}, State.REJECTED),
}


class ReviewError(Exception):
    """A refused decision; the message is shown to the moderator as it is."""


# --- Permissions ----------------------------------------------------------------------


def _in_moderators_group(user):
    return user.groups.filter(name=MODERATORS_GROUP).exists()


def applications_visible_to(user, queryset=None):
    queryset = MerchantApplication.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or _in_moderators_group(user):
        return queryset
    return queryset.filter(community__moderators=user).distinct()


def can_review_any(user):
    """Shown the 入盟申请 menu and list; one query, remembered on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_can_review_applications"):
        user._can_review_applications = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .filter(Q(groups__name=MODERATORS_GROUP) | Q(moderated_communities__isnull=False))
            .exists()
        )
    return user._can_review_applications


def _application_for(request, pk):
    """The application if this user may review it; None (and a message) otherwise."""
    application = applications_visible_to(request.user).filter(pk=pk).first()
    if application is None:
        messages.error(request, _gettext("您没有审核这份入盟申请的权限。"))
    return application


def _refuse(request):
    messages.error(request, _gettext("您没有审核入盟申请的权限。"))
    return redirect("wagtailadmin_home")


# --- Decisions ------------------------------------------------------------------------


def _check(application, action):
    allowed_from, _to = TRANSITIONS[action]
    if application.state not in allowed_from:
        raise ReviewError(
            _gettext("这份申请目前是“%(state)s”，不能再执行这个操作。") % {"state": application.get_state_display()}
        )


def _shop_front_image(application):
    photo = application.photos.filter(kind=ApplicationPhoto.Kind.SHOP_FRONT).order_by("-created_at", "-pk").first()
    if photo is None:
        return None
    extension = photo.file.name.rsplit(".", 1)[-1]
    with photo.file.open("rb") as source:
        return get_image_model().objects.create(
            title=_gettext("%(name)s 门头") % {"name": application.shop_name},
            file=ImageFile(source, name=f"shopfront-{secrets.token_hex(8)}.{extension}"),
        )


def approve(application, user):
    """Make the shop a member: create or update its Merchant by credit code."""
    with transaction.atomic():
        application = MerchantApplication.objects.select_for_update().get(pk=application.pk)
        _check(application, "approve")
        merchant = Merchant.objects.select_for_update().filter(credit_code=application.credit_code).first()
        merchant = merchant or Merchant(credit_code=application.credit_code)
        for field in ("category", "address", "community", "grid", "contact_person", "mobile", "opening_hours"):
            setattr(merchant, field, getattr(application, field))
        merchant.name = application.shop_name
        merchant.offers = application.offers
        merchant.elderly_delivery = application.elderly_delivery
        merchant.accepts_volunteer_points = application.accepts_volunteer_points
        if not merchant.is_member or not merchant.member_since:
            merchant.member_since = timezone.localdate()
        merchant.membership_status = Merchant.Status.MEMBER
        image = _shop_front_image(application)
        if image is not None:
            merchant.photo = image
        merchant.save()
        application.merchant = merchant
        application.state = State.APPROVED
        application.reviewer = user
        application.reviewed_at = timezone.now()
        application.save()
        notify_application_update(application)
    return application


def _decide(application, user, action, note):
    note = (note or "").strip()
    if not note:
        raise ReviewError(
            _gettext("请写明需要补充的材料。") if action == "more_info" else _gettext("请写明不通过的理由。")
        )
    with transaction.atomic():
        application = MerchantApplication.objects.select_for_update().get(pk=application.pk)
        _check(application, action)
        application.state = TRANSITIONS[action][1]
        application.review_note = note
        application.reviewer = user
        application.reviewed_at = timezone.now()
        application.save()
        notify_application_update(application)
    return application


def ask_for_more(application, user, note):
    return _decide(application, user, "more_info", note)


def reject(application, user, reason):
    return _decide(application, user, "reject", reason)


# --- Views ----------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明（申请人可以看到）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def application_list(request):
    if not can_review_any(request.user):
        return _refuse(request)
    applications = applications_visible_to(request.user).select_related("community", "grid")
    state = request.GET.get("state", "")
    community_id = request.GET.get("community", "")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]  # PostgreSQL refuses NUL
    if state in State.values:
        applications = applications.filter(state=state)
    if community_id.isascii() and community_id.isdigit():  # "²".isdigit() is True, int("²") fails
        applications = applications.filter(community_id=community_id)
    if query:
        applications = applications.filter(
            Q(reference__icontains=query)
            | Q(shop_name__icontains=query)
            | Q(credit_code__icontains=query)
            | Q(address__icontains=query)
        )
    page = Paginator(applications.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    communities = Community.objects.all()
    if not (request.user.is_superuser or _in_moderators_group(request.user)):
        communities = communities.filter(moderators=request.user)
    return render(
        request,
        "intake_admin/applications/index.html",
        {
            "page_title": _gettext("入盟申请"),
            "header_title": _gettext("入盟申请"),
            "header_icon": "form",
            "applications": page,
            "states": State.choices,
            "communities": communities,
            "current_state": state,
            "current_community": community_id,
            "query": query,
        },
    )


def application_detail(request, pk):
    if not can_review_any(request.user):
        return _refuse(request)
    application = _application_for(request, pk)
    if application is None:
        return redirect("intake_applications")
    member = (
        Merchant.objects.members()
        .filter(credit_code=application.credit_code)
        .exclude(pk=application.merchant_id)
        .first()
    )
    return render(
        request,
        "intake_admin/applications/detail.html",
        {
            "page_title": _gettext("入盟申请 %(reference)s") % {"reference": application.reference},
            "header_title": application.reference,
            "header_icon": "form",
            "application": application,
            "photos": application.photos.all(),
            "existing_member": member,
            "other_applications": applications_visible_to(request.user)
            .filter(credit_code=application.credit_code)
            .exclude(pk=application.pk)
            .order_by("-created_at"),
            "note_form": NoteForm(),
            "actions": {action for action, (states, _to) in TRANSITIONS.items() if application.state in states},
        },
    )


@require_POST
def application_action(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404
    if not can_review_any(request.user):
        return _refuse(request)
    application = _application_for(request, pk)
    if application is None:
        return redirect("intake_applications")
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action == "approve":
            application = approve(application, request.user)
            messages.success(
                request,
                _gettext("已通过：“%(name)s”已成为联盟商户，商户名录中已可看到。") % {"name": application.shop_name},
            )
        elif action == "more_info":
            ask_for_more(application, request.user, note)
            messages.success(request, _gettext("已请申请人补充材料，申请人可通过查询链接修改后重新提交。"))
        else:
            reject(application, request.user, note)
            messages.success(request, _gettext("已标记为未通过，申请人可以看到理由。"))
    except ReviewError as error:
        messages.error(request, str(error))
    return redirect("intake_application_detail", pk=pk)


def application_photo(request, pk):
    """A private photo, only for those who may review its application."""
    photo = get_object_or_404(ApplicationPhoto.objects.select_related("application"), pk=pk)
    if not applications_visible_to(request.user).filter(pk=photo.application_id).exists():
        raise Http404
    content_type = mimetypes.guess_type(photo.file.name)[0] or "application/octet-stream"
    response = FileResponse(photo.file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
