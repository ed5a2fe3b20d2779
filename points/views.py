"""The public side of volunteer points: a resident's points on 我的, spend codes, sign-ups, the shop's
desk at the counter, and the monthly 公示 of points issued (names masked).

Residents and shop staff are signed in by SMS code (accounts/); these views take the person from
the session and check, on every request, that the person may do what they ask: their own account,
their own sign-up, a shop they are active staff of.
"""

import datetime
import re
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Person, ShopStaff
from alliance.models import Merchant
from portal import params, siteaddress
from portal.ratelimit import BUSY_MESSAGE, BUSY_RETRY_AFTER, CountersUnavailable, count_hit, read_count

from . import earning, spending
from .forms import CardSpendForm, CodeForm, SpendForm
from .ledger import LedgerError
from .models import Account, Activity, Entry, Settlement, SignUp, Transfer, month_start, next_month
from .settlement import month_bounds, resident_of, spends_in_month, statement_disposition, statement_workbook

MOVEMENTS_PER_PAGE = 20
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def signed_in_person(request):
    person = Person.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if person is None:
        raise Http404(_("请用手机号码登录后再使用志愿积分。"))
    return person


def movements(account):
    """An account's entries, newest first, with what each transfer was (one query per page)."""
    return account.entries.select_related("transfer").order_by("-created_at", "-pk")


def my_points_section(request, person):
    """Points on 我的: the balance, the last movements, sign-ups to come (constant queries)."""
    account = Account.objects.filter(person=person).first()
    upcoming = (
        SignUp.objects.filter(person=person, activity__ends_at__gte=timezone.now())
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("activity__notice")
        .order_by("activity__starts_at")
    )
    return {
        "slug": "points",
        "title": _("志愿积分"),
        "template": "points/my_section.html",
        "balance": account.balance if account else 0,
        "movements": list(movements(account)[:5]) if account else [],
        "sign_ups": list(upcoming[:10]),
        "desks": list(ShopStaff.objects.filter(person=person, active=True).select_related("merchant")),
        "order": 10,
    }


@login_required(login_url="sign_in")
def my_movements(request):
    person = signed_in_person(request)
    account = Account.objects.filter(person=person).first()
    page = params.paginate(request, movements(account) if account else Entry.objects.none(), MOVEMENTS_PER_PAGE)
    return render(request, "points/my_movements.html", {"person": person, "account": account, "movements": page})


def qr_svg(text):
    """The QR code of `text` as SVG markup drawn here (no image library, nothing from outside)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Sized by the page's CSS; the markup is ours alone (digits and a URL of our own, no user text).
    return mark_safe(re.sub(r' (width|height)="[^"]*"', "", svg, count=2))  # noqa: S308


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def spend(request):
    """The resident asks to spend N points and gets a one-time code (and its QR code) for the counter."""
    person = signed_in_person(request)
    account = Account.for_person(person)
    form = SpendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record, code = spending.issue_code(person, form.cleaned_data["points"])
        except LedgerError as refused:
            form.add_error("points", refused.messages[0])
        else:
            # On the site's address: the clerk's phone scans it, whichever address the resident used.
            desk = siteaddress.absolute(reverse("points_desk_home"), request) + f"?code={code}"
            context = {
                "record": record,
                "code": f"{code[:4]} {code[4:]}",
                "desk_url": desk,
                "qr": qr_svg(desk),
                "valid_minutes": settings.POINTS_CODE_VALID_SECONDS // 60,
            }
            response = render(request, "points/spend_code.html", context)
            response["Cache-Control"] = "no-store"
            return response
    context = {"form": form, "balance": account.balance, "max_per_visit": settings.POINTS_MAX_PER_VISIT}
    return render(request, "points/spend.html", context)


# --- Signing up for a volunteer activity -----------------------------------------------------


@login_required(login_url="sign_in")
@require_POST
def sign_up(request, pk):
    person = signed_in_person(request)
    activity = get_object_or_404(Activity.objects.select_related("notice"), pk=pk, notice__live=True)
    if not person.name:
        messages.info(request, _("报名前请先留下您的姓名，方便组织人登记出勤。"))
        return redirect(reverse("my_name") + "?" + urlencode({"next": activity.notice.url or reverse("my")}))
    try:
        record = earning.sign_up(activity, person)
    except LedgerError as refused:
        messages.error(request, refused.messages[0])
    else:
        if record.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("报名成功。活动后组织人登记出勤，复核后积分会到您的账户。"))
        else:
            messages.info(request, _("名额已满，您在候补名单中；有人取消时按报名先后递补。"))
    return redirect(activity.notice.url or "my")


@login_required(login_url="sign_in")
@require_POST
def cancel_sign_up(request, pk):
    person = signed_in_person(request)
    activity = get_object_or_404(Activity.objects.select_related("notice"), pk=pk)
    try:
        earning.cancel(activity, person)
    except LedgerError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, _("已取消报名。"))
    if request.POST.get("back") == "my":
        return redirect("my")
    return redirect(activity.notice.url or "my")


def notice_activities(notice, request):
    """The sign-up block of a volunteer notice: its sessions, places left, this person's sign-up."""
    activities = list(
        Activity.objects.filter(notice=notice, ends_at__gte=timezone.now() - datetime.timedelta(days=1))
        .order_by("starts_at")
        .prefetch_related(
            Prefetch("sign_ups", queryset=SignUp.objects.filter(status=SignUp.Status.CONFIRMED), to_attr="confirmed")
        )
    )
    person = None
    if request is not None and request.user.is_authenticated:
        person = Person.objects.filter(user=request.user).first()
    mine = {}
    if person is not None:
        mine = {
            s.activity_id: s
            for s in SignUp.objects.filter(person=person, activity__in=activities).exclude(
                status=SignUp.Status.CANCELLED
            )
        }
    for activity in activities:
        activity.places_left = max(activity.places - len(activity.confirmed), 0)
        activity.my_sign_up = mine.get(activity.pk)
    return {"activities": activities, "signed_in": person is not None}


# --- The shop's desk -------------------------------------------------------------------------


def desks_of(person):
    return Merchant.objects.filter(staff__person=person, staff__active=True).order_by("name")


@login_required(login_url="sign_in")
def desk_home(request):
    """Which shop's desk: straight to it when the person works at one (a scanned code comes along)."""
    person = signed_in_person(request)
    shops = list(desks_of(person))
    code = spending.normalise_code(request.GET.get("code", ""))[:8]
    if len(shops) == 1:
        target = reverse("points_desk", args=[shops[0].pk])
        return redirect(f"{target}?code={code}" if code else target)
    return render(request, "points/desk_home.html", {"shops": shops, "code": code})


def _desk_shop(request, merchant_pk):
    person = signed_in_person(request)
    merchant = desks_of(person).filter(pk=merchant_pk).first()
    if merchant is None:
        raise Http404(_("您不是这家商户的店员。"))
    return person, merchant


@login_required(login_url="sign_in")
@require_http_methods(["GET", "POST"])
def desk(request, merchant_pk):
    """The counter: look up a code (typed or scanned), see amount and masked name, confirm once."""
    person, merchant = _desk_shop(request, merchant_pk)
    found = None
    status = 200
    code_form = CodeForm(request.POST or request.GET or None)
    card_form = CardSpendForm(initial={"key": secrets.token_urlsafe(12)})
    if request.method == "POST" and request.POST.get("action") == "card":
        card_form = CardSpendForm(request.POST)
        if card_form.is_valid():
            data = card_form.cleaned_data
            try:
                record = spending.confirm_card(
                    data["number"], data["pin"], data["points"], merchant, request.user, data["key"]
                )
            except LedgerError as refused:
                card_form.add_error(None, refused.messages[0])
            else:
                messages.success(request, _("已抵扣 %(points)d 分（积分卡）。") % {"points": -_resident_amount(record)})
                return redirect("points_desk", merchant_pk=merchant.pk)
        code_form = CodeForm()
    elif code_form.is_bound and (refusal := _code_lookup_refusal(person, merchant)):
        code_form.is_valid()
        message, status = refusal
        code_form.add_error(None, message)
    elif request.method == "POST" and code_form.is_valid():
        try:
            record = spending.confirm(code_form.cleaned_data["code"], merchant, request.user)
        except LedgerError as refused:
            code_form.add_error("code", refused.messages[0])
            _count_wrong(person, merchant)
        else:
            messages.success(request, _("已抵扣 %(points)d 分。") % {"points": -_resident_amount(record)})
            return redirect("points_desk", merchant_pk=merchant.pk)
    elif code_form.is_bound and code_form.is_valid():
        found = spending.find_code(code_form.cleaned_data["code"])
        if found is None:
            code_form.add_error("code", _("抵扣码不正确或已失效，请居民重新生成。"))
            _count_wrong(person, merchant)
    today = timezone.localdate()
    taken = spends_in_month(merchant, today).count()
    context = {
        "merchant": merchant,
        "code_form": code_form,
        "card_form": card_form,
        "found": found,
        "recent": [
            (entry, resident_of(entry))
            for entry in spends_in_month(merchant, today).order_by("-created_at", "-pk")[:10]
        ],
        "taken_this_month": taken,
        "points_this_month": spends_in_month(merchant, today).aggregate(total=Sum("amount"))["total"] or 0,
        "months": _statement_months(merchant),
    }
    response = render(request, "points/desk.html", context, status=status)
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def _wrong_codes_key(person, merchant):
    return f"points-desk-wrong:{merchant.pk}:{person.pk}"


def _code_lookup_refusal(person, merchant):
    """(message, status) when this desk may not look up codes now, else None.

    Too many wrong codes lately: live codes must not be guessable by trying. The wrong codes
    cannot be counted (the cache is down): no code is looked up either (503); printed cards, whose
    PIN tries are counted in the database, still work then.
    """
    try:
        wrong = read_count(_wrong_codes_key(person, merchant))
    except CountersUnavailable:
        return _("%(busy)s也可以请居民出示积分卡抵扣。") % {"busy": BUSY_MESSAGE}, 503
    if wrong >= settings.POINTS_DESK_WRONG_CODES:
        return _("抵扣码输错次数太多，请 10 分钟后再试。"), 200
    return None


def _count_wrong(person, merchant):
    try:
        count_hit(_wrong_codes_key(person, merchant), 600)
    except CountersUnavailable:
        pass  # read just before; the next lookup is refused while the counters stay away


def _resident_amount(record):
    return next(e.amount for e in record.entries.all() if e.amount < 0)


def _statement_months(merchant, count=6):
    """The last `count` months, newest first, each with its settlement if the office confirmed one."""
    months, month = [], month_start(timezone.localdate())
    for _number in range(count):
        months.append(month)
        month = month_start(month - datetime.timedelta(days=1))
    settled = {s.month: s for s in Settlement.objects.filter(merchant=merchant, month__in=months)}
    return [(month, settled.get(month)) for month in months]


@login_required(login_url="sign_in")
def desk_statement(request, merchant_pk, month):
    """The month's spends at the shop as XLSX, for its staff (the office settles from the same figures)."""
    _person, merchant = _desk_shop(request, merchant_pk)
    found = MONTH.match(month)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise Http404(_("没有这个月份。"))
    day = datetime.date(int(found.group(1)), int(found.group(2)), 1)
    response = HttpResponse(
        statement_workbook(merchant, day),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = statement_disposition(merchant, day)
    return response


# --- 公示: points issued, by month and activity, names masked -----------------------------------


def issued_in_month(month):
    """[(activity, [(masked name, points)])] of the month's issuances, grouped by activity."""
    start, end = month_bounds(month)
    transfers = (
        Transfer.objects.filter(kind=Transfer.Kind.ISSUE, created_at__gte=start, created_at__lt=end)
        .exclude(reversal__isnull=False)
        .select_related("attendance__activity__notice", "attendance__person")
        .order_by("attendance__activity__starts_at", "pk")
    )
    grouped = {}
    for record in transfers:
        attendance = getattr(record, "attendance", None)
        if attendance is None:
            continue
        grouped.setdefault(attendance.activity, []).append((attendance.person.masked_name, attendance.points))
    return list(grouped.items())


def issued_for_notice(notice):
    """[(activity, [(masked name, points)])] of everything issued for a notice's activities."""
    transfers = (
        Transfer.objects.filter(kind=Transfer.Kind.ISSUE, attendance__activity__notice=notice)
        .exclude(reversal__isnull=False)
        .select_related("attendance__activity", "attendance__person")
        .order_by("attendance__activity__starts_at", "pk")
    )
    grouped = {}
    for record in transfers:
        grouped.setdefault(record.attendance.activity, []).append(
            (record.attendance.person.masked_name, record.attendance.points)
        )
    return list(grouped.items())


def publicity(request):
    today = timezone.localdate()
    requested = request.GET.get("month", "")
    found = MONTH.match(requested) if requested else None
    if requested and (not found or not 1 <= int(found.group(2)) <= 12):
        raise Http404(_("没有这个月份。"))
    month = datetime.date(int(found.group(1)), int(found.group(2)), 1) if found else month_start(today)
    issued = issued_in_month(month)
    context = {
        "month": month,
        "issued": issued,
        "total": sum(points for _activity, rows in issued for _name, points in rows),
        "previous": month_start(month - datetime.timedelta(days=1)),
        "next": next_month(month) if month < month_start(today) else None,
    }
    return render(request, "points/publicity.html", context)
