"""The public side of accounts: sign in by mobile and SMS code, sign out, and 我的 (/my/).

我的 shows what other apps register for the signed-in person through the "my_sections" hook
(points, cases...): accounts cannot import those apps, they come to it.
"""

import functools

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks

from portal.privacy import mask_mobile
from portal.ratelimit import BUSY_RETRY_AFTER

from . import mobilechange
from .closing import close_account
from .forms import CloseAccountForm, CodeForm, MobileForm, NameForm, NewMobileForm
from .models import Person
from .signin import SignInRefused, send_code, sign_in, verify_code

MOBILE_SESSION_KEY = "sign_in_mobile"
NEXT_SESSION_KEY = "sign_in_next"
# Wagtail hook other apps register: fn(request, person) -> a section dict or None, shown on /my/.
MY_SECTIONS_HOOK = "my_sections"
# Wagtail hook: fn(person) -> a line of text (what closing the account will lose) or None.
CLOSING_SUMMARY_HOOK = "closing_summary"


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=request.is_secure()):
        return value
    return reverse("my")


@require_http_methods(["GET", "POST"])
def sign_in_view(request):
    """Step 1: the mobile number."""
    form = MobileForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "GET":
        request.session[NEXT_SESSION_KEY] = _safe_next(request, request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            send_code(request, mobile)
        except SignInRefused as refused:
            refusal = refused
        else:
            request.session[MOBILE_SESSION_KEY] = mobile
            return redirect("sign_in_code")
    context = {"form": form, "message": str(refusal) if refusal else ""}
    return _refused_or_ok(render(request, "accounts/sign_in.html", context), refusal, status=429)


def _refused_or_ok(response, refusal, status):
    """A refusal's status: 503 with Retry-After when it was ours (busy), else `status` (the person's limit)."""
    if refusal is not None and refusal.busy:
        response.status_code = 503
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
    elif refusal is not None:
        response.status_code = status
    return response


@require_http_methods(["GET", "POST"])
def sign_in_code_view(request):
    """Step 2: the code that was sent."""
    mobile = request.session.get(MOBILE_SESSION_KEY)
    if not mobile:
        return redirect("sign_in")
    form = CodeForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            person = verify_code(request, mobile, form.cleaned_data["code"])
        except SignInRefused as refused:
            refusal = refused
        else:
            target = request.session.get(NEXT_SESSION_KEY) or reverse("my")
            sign_in(request, person)
            return redirect(_safe_next(request, target))
    context = {"form": form, "message": str(refusal) if refusal else "", "masked_mobile": mask_mobile(mobile)}
    # A wrong code is an ordinary answer (200), as before.
    return _refused_or_ok(render(request, "accounts/sign_in_code.html", context), refusal, status=200)


@require_POST
def sign_out_view(request):
    logout(request)
    return redirect("/")


def person_of(request):
    """The signed-in person, or None (staff signed in to the admin are not one)."""
    if not request.user.is_authenticated:
        return None
    return Person.objects.filter(user=request.user).first()


def for_person(view):
    """Signed in by SMS code as a person: the view gets (request, person); staff accounts get 403."""

    @login_required(login_url="sign_in")
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        person = person_of(request)
        if person is None:
            # A staff account browsing the public site: 我的 is for residents and shop staff.
            return render(request, "accounts/not_a_person.html", status=403)
        return view(request, person, *args, **kwargs)

    return wrapper


@for_person
def my_view(request, person):
    sections = [s for s in (hook(request, person) for hook in hooks.get_hooks(MY_SECTIONS_HOOK)) if s]
    sections.sort(key=lambda section: section.get("order", 100))
    return render(request, "accounts/my.html", {"person": person, "sections": sections})


@for_person
@require_http_methods(["GET", "POST"])
def my_name_view(request, person):
    """The name a resident gives: organisers check it at attendance, the 公示 shows it masked."""
    target = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = NameForm(request.POST if request.method == "POST" else None, initial={"name": person.name})
    if request.method == "POST" and form.is_valid():
        person.name = form.cleaned_data["name"]
        person.save(update_fields=["name"])
        messages.success(request, _("已保存您的姓名。"))
        return redirect(target)
    return render(request, "accounts/my_name.html", {"form": form, "next": target})


@for_person
@require_http_methods(["GET", "POST"])
def my_close_view(request, person):
    """注销账号: what will go and what stays, a box to tick, then the account is closed and signed out."""
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        close_account(person)
        logout(request)
        messages.success(request, _("您的账号已注销，手机号和姓名已删除。感谢您参与商居联盟。"))
        return redirect("/")
    balances = [s for s in (hook(person) for hook in hooks.get_hooks(CLOSING_SUMMARY_HOOK)) if s]
    return render(request, "accounts/my_close.html", {"form": form, "person": person, "lines": balances})


@for_person
@require_http_methods(["GET", "POST"])
def my_mobile_view(request, person):
    """更换手机号, step 1: the new number, which gets a code."""
    form = NewMobileForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            mobilechange.send_change_code(request, person, form.cleaned_data["mobile"])
        except SignInRefused as refused:
            refusal = refused
        else:
            return redirect("my_mobile_code")
    context = {"form": form, "message": str(refusal) if refusal else "", "person": person}
    return _refused_or_ok(render(request, "accounts/my_mobile.html", context), refusal, status=429)


@for_person
@require_http_methods(["GET", "POST"])
def my_mobile_code_view(request, person):
    """更换手机号, step 2: the code the new number received; then the account signs in with it."""
    mobile = mobilechange.pending(request)
    if not mobile:
        return redirect("my_mobile")
    form = CodeForm(request.POST if request.method == "POST" else None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            mobilechange.confirm_change(request, person, form.cleaned_data["code"])
        except SignInRefused as refused:
            refusal = refused
        else:
            messages.success(request, _("登录手机号已更换，以后请用新号码登录。"))
            return redirect("my")
    context = {"form": form, "message": str(refusal) if refusal else "", "masked_mobile": mask_mobile(mobile)}
    return _refused_or_ok(render(request, "accounts/my_mobile_code.html", context), refusal, status=200)
