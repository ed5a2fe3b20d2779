"""The staff side of volunteer points, in the Wagtail admin under 志愿积分.

- attendance: the organiser types each person's hours after an activity (all or nothing);
- confirmation queue: a second person confirms, and only then are points issued;
- accounts: balances and every movement; residents added for a printed card; acting for a
  resident at the counter, with a reason; asking for a reversal;
- reversals: a second person approves or rejects what someone asked to reverse;
- settlements: each shop's month, confirmed by the office, and its statement.

Every action on someone's points goes into Wagtail's audit log (points/wagtail_hooks.py names them);
mobiles are masked for staff who do not call residents (permissions.sees_mobiles).
"""

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from accounts.models import MobileDevice, Person, PointsCard
from alliance.models import Merchant
from portal import params

from . import earning, ledger
from . import permissions as can
from .forms import ActForForm, AttendanceForm, DecisionForm, MonthForm, PersonForm, ReversalForm
from .ledger import LedgerError
from .models import Account, Activity, Attendance, Entry, ReversalRequest, Settlement, SignUp, Transfer, month_start
from .settlement import month_bounds, settle, statement_disposition, statement_workbook

PER_PAGE = 30


def shown_mobile(person, user):
    if not person.mobile:
        return _("无手机（积分卡）")
    return person.mobile if can.sees_mobiles(user) else person.masked_mobile


class PointsAdminView(WagtailAdminTemplateMixin, TemplateView):
    """An admin page of 志愿积分: checks `permission` on every request before anything is read."""

    permission = None
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        can.require(self.permission, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


# --- Attendance and its confirmation -----------------------------------------------------------


class AttendanceView(PointsAdminView):
    template_name = "points/admin/attendance.html"
    permission = staticmethod(can.can_record)
    page_title = gettext_lazy("登记出勤")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.activity = get_object_or_404(Activity.objects.select_related("notice"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.activity)

    def people(self):
        """Everyone signed up (confirmed first) or already recorded, with the hours recorded so far."""
        recorded = {a.person_id: a for a in self.activity.attendances.select_related("person", "transfer")}
        sign_ups = (
            self.activity.sign_ups.filter(status__in=[SignUp.Status.CONFIRMED, SignUp.Status.WAITING])
            .select_related("person")
            .order_by("status", "created_at")
        )
        people, seen = [], set()
        for person in [s.person for s in sign_ups] + [a.person for a in recorded.values()]:
            if person.pk in seen:
                continue
            seen.add(person.pk)
            attendance = recorded.get(person.pk)
            if attendance is None or attendance.confirmed_at is None:
                people.append((person, attendance.hours if attendance else ""))
        return people, recorded

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        people, recorded = self.people()
        form = form or AttendanceForm(people=people)
        user = self.request.user
        context.update(
            activity=self.activity,
            form=form,
            rows=[(person, field, shown_mobile(person, user)) for person, field in form.person_fields()],
            confirmed=[(a, shown_mobile(a.person, user)) for a in recorded.values() if a.confirmed_at is not None],
        )
        return context

    def post(self, request, *args, **kwargs):
        people, _recorded = self.people()
        form = AttendanceForm(request.POST, people=people)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            with transaction.atomic():
                for person, hours in form.records:
                    earning.record_attendance(self.activity, person, hours, request.user)
        except LedgerError as refused:
            form.add_error(None, refused.messages[0])
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("已登记 %(count)d 人的出勤，请另一位工作人员（网格员或社区书记）复核后发放积分。")
            % {"count": len(form.records)},
        )
        return redirect("points_admin:attendance", pk=self.activity.pk)


class ConfirmQueueView(PointsAdminView):
    """Attendance waiting for a second person; what this user recorded is shown but not confirmable."""

    template_name = "points/admin/confirm.html"
    permission = staticmethod(can.can_confirm)
    page_title = gettext_lazy("出勤复核")

    def waiting(self):
        return list(
            Attendance.objects.filter(confirmed_at__isnull=True)
            .select_related("activity__notice", "person", "recorded_by")
            .order_by("activity__starts_at", "activity_id", "pk")[:200]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        groups = {}
        for attendance in self.waiting():
            row = (attendance, shown_mobile(attendance.person, user), attendance.recorded_by_id == user.pk)
            groups.setdefault(attendance.activity, []).append(row)
        context["groups"] = list(groups.items())
        return context

    def post(self, request, *args, **kwargs):
        chosen = [params.whole_number(value) for value in request.POST.getlist("attendance")]
        chosen = [pk for pk in chosen if pk is not None]
        if not chosen:
            messages.error(request, _("请勾选要复核的出勤记录。"))
            return redirect("points_admin:confirm")
        issued, refused = 0, []
        for attendance in Attendance.objects.filter(pk__in=chosen, confirmed_at__isnull=True).select_related("person"):
            try:
                earning.confirm_attendance(attendance, request.user)
            except LedgerError as error:
                refused.append(f"{attendance.person.name}：{error.messages[0]}")
            else:
                issued += 1
        if issued:
            messages.success(request, _("已复核 %(count)d 条出勤，积分已发放。") % {"count": issued})
        for line in refused:
            messages.error(request, line)
        return redirect("points_admin:confirm")


# --- Accounts and movements --------------------------------------------------------------------


class AccountIndexView(PointsAdminView):
    template_name = "points/admin/accounts.html"
    permission = staticmethod(can.can_view_accounts)
    page_title = gettext_lazy("积分账户")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = params.text(self.request, "q", max_length=40)
        people = Person.objects.select_related("points_account", "card").order_by("name", "pk")
        if query:
            digits = "".join(c for c in query if c.isdigit())
            match = Q(name__contains=query)
            if len(digits) >= 4:
                match |= Q(mobile__endswith=digits) | Q(card__number=digits)
            people = people.filter(match)
        page = params.paginate(self.request, people, PER_PAGE)
        user = self.request.user
        context.update(
            query=query,
            page=page,
            rows=[(person, shown_mobile(person, user)) for person in page],
            shops=list(
                Account.objects.filter(kind=Account.Kind.MERCHANT).select_related("merchant").order_by("-balance")[:50]
            ),
            issuer=Account.issuer(),
            can_add=can.can_add_person(user),
        )
        return context


class AccountDetailView(PointsAdminView):
    template_name = "points/admin/account.html"
    permission = staticmethod(can.can_view_accounts)
    page_title = gettext_lazy("积分账户")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.account = get_object_or_404(Account.objects.select_related("person__card", "merchant"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.account.person.name if self.account.person else self.account)

    def get_context_data(self, act_for_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        entries = (
            self.account.entries.select_related("transfer__created_by", "transfer__approved_by", "transfer__reversal")
            .annotate(
                pending=Count("transfer__reversal_requests", filter=Q(transfer__reversal_requests__status="pending"))
            )
            .order_by("-created_at", "-pk")
        )
        person = self.account.person
        context.update(
            account=self.account,
            person=person,
            mobile=shown_mobile(person, user) if person else "",
            card=getattr(person, "card", None) if person else None,
            movements=params.paginate(self.request, entries, PER_PAGE),
            can_reverse=can.can_request_reversal(user),
            can_issue_card=person is not None and can.can_issue_card(user),
            act_for_form=(act_for_form or ActForForm()) if person is not None and can.can_act_for(user) else None,
            sign_ups=list(person.sign_ups.select_related("activity__notice").order_by("-created_at")[:10])
            if person
            else [],
        )
        return context


class AddPersonView(PointsAdminView):
    """A resident the office serves at its window: a name, a mobile if they have one."""

    template_name = "points/admin/add_person.html"
    permission = staticmethod(can.can_add_person)
    page_title = gettext_lazy("添加居民")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or PersonForm()
        return context

    def post(self, request, *args, **kwargs):
        form = PersonForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            user = get_user_model().objects.create_user(f"resident-{secrets.token_hex(6)}")
            user.set_unusable_password()
            user.save(update_fields=["password"])
            person = Person.objects.create(
                user=user, name=form.cleaned_data["name"], mobile=form.cleaned_data["mobile"]
            )
            MobileDevice.objects.create(user=user, name="sms", confirmed=False)
            account = Account.for_person(person)
        log(account, "points.add_person", user=request.user, data={"name": person.name})
        messages.success(request, _("已添加居民 %(name)s。") % {"name": person.name})
        return redirect("points_admin:account", pk=account.pk)


class ResidentActionView(AccountDetailView):
    """A POST on a resident's account page; a GET goes back to the page."""

    http_method_names = ["get", "post"]
    action_permission = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.account.kind != Account.Kind.RESIDENT:
            raise Http404(_("只有居民的积分账户可以这样办理。"))

    def dispatch(self, request, *args, **kwargs):
        can.require(self.action_permission, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect("points_admin:account", pk=self.account.pk)


class IssueCardView(ResidentActionView):
    """A printed card: a new number and PIN, shown once for printing; an older card stops working."""

    template_name = "points/admin/card.html"
    action_permission = staticmethod(can.can_issue_card)
    page_title = gettext_lazy("积分卡")

    def post(self, request, *args, **kwargs):
        person = self.account.person
        pin = f"{secrets.randbelow(10**4):04d}"
        with transaction.atomic():
            replaced = PointsCard.objects.filter(person=person).first()
            if replaced is not None:
                replaced.delete()
            card = PointsCard(person=person, issued_by=request.user)
            card.set_pin(pin)
            card.save()
        data = {"card": card.display_number, "replaced": replaced.display_number if replaced else ""}
        log(self.account, "points.issue_card", user=request.user, data=data)
        context = super(AccountDetailView, self).get_context_data()
        context.update(card=card, pin=pin, person=person, account=self.account)
        response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"
        return response


class ActForView(ResidentActionView):
    """Sign a resident up at the office's window, with the reason in the audit log."""

    action_permission = staticmethod(can.can_act_for)

    def post(self, request, *args, **kwargs):
        person = self.account.person
        form = ActForForm(request.POST)
        if form.is_valid():
            activity, reason = form.cleaned_data["activity"], form.cleaned_data["reason"]
            try:
                record = earning.sign_up(activity, person, on_behalf_by=request.user)
            except LedgerError as refused:
                form.add_error("activity", refused.messages[0])
            else:
                data = {"what": "sign_up", "activity": activity.pk, "status": record.status, "reason": reason}
                log(self.account, "points.act_for", user=request.user, data=data)
                messages.success(
                    request,
                    _("已为 %(name)s 报名 %(activity)s：%(status)s。")
                    % {"name": person.name, "activity": activity, "status": record.get_status_display()},
                )
                return redirect("points_admin:account", pk=self.account.pk)
        return self.render_to_response(self.get_context_data(act_for_form=form))


# --- Reversals: asked by one, approved by another -----------------------------------------------


class RequestReversalView(PointsAdminView):
    template_name = "points/admin/request_reversal.html"
    permission = staticmethod(can.can_request_reversal)
    page_title = gettext_lazy("申请冲正")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.transfer = get_object_or_404(Transfer, pk=kwargs["pk"])
        self.back = params.whole_number(request.GET.get("account", "")) or None

    def refusal(self):
        if self.transfer.kind == Transfer.Kind.REVERSE:
            return _("冲正记录不能再冲正。")
        if Transfer.objects.filter(reverses=self.transfer).exists():
            return _("这笔转账已经冲正过了。")
        if self.transfer.reversal_requests.filter(status=ReversalRequest.Status.PENDING).exists():
            return _("这笔转账已有一条待复核的冲正申请。")
        return None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            transfer=self.transfer,
            entries=list(self.transfer.entries.select_related("account__person", "account__merchant")),
            form=form or ReversalForm(),
            refusal=self.refusal(),
            back=self.back,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ReversalForm(request.POST)
        refusal = self.refusal()
        if refusal or not form.is_valid():
            if refusal:
                form.is_valid()
                form.add_error(None, refusal)
            return self.render_to_response(self.get_context_data(form=form))
        reversal = ReversalRequest.objects.create(
            transfer=self.transfer, reason=form.cleaned_data["reason"], requested_by=request.user
        )
        log(reversal, "points.request_reversal", user=request.user, data={"transfer": self.transfer.pk})
        messages.success(request, _("冲正申请已提交，需另一位有复核权限的工作人员同意后生效。"))
        if self.back:
            return redirect("points_admin:account", pk=self.back)
        return redirect("points_admin:reversals")


class ReversalQueueView(PointsAdminView):
    template_name = "points/admin/reversals.html"
    permission = staticmethod(can.can_approve_reversal)
    page_title = gettext_lazy("冲正复核")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = (
            ReversalRequest.objects.filter(status=ReversalRequest.Status.PENDING)
            .select_related("transfer", "requested_by")
            .prefetch_related("transfer__entries__account__person", "transfer__entries__account__merchant")
            .order_by("requested_at")
        )
        decided = (
            ReversalRequest.objects.exclude(status=ReversalRequest.Status.PENDING)
            .select_related("transfer", "requested_by", "decided_by")
            .order_by("-decided_at")[:20]
        )
        context.update(pending=list(pending), decided=list(decided), form=DecisionForm(), user=self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        pk = params.whole_number(request.POST.get("request", ""))
        form = DecisionForm(request.POST)
        asked = ReversalRequest.objects.filter(pk=pk, status=ReversalRequest.Status.PENDING).first() if pk else None
        if asked is None:
            messages.error(request, _("这条冲正申请不存在或已经处理过了。"))
            return redirect("points_admin:reversals")
        if not form.is_valid():
            messages.error(request, form.errors["decision"][0] if "decision" in form.errors else _("复核意见太长了。"))
            return redirect("points_admin:reversals")
        if asked.requested_by_id == request.user.pk:
            messages.error(request, _("冲正须由另一位工作人员复核，不能复核自己的申请。"))
            return redirect("points_admin:reversals")
        note = form.cleaned_data["note"]
        if form.cleaned_data["decision"] == "reject":
            with transaction.atomic():
                asked = ReversalRequest.objects.select_for_update().get(pk=asked.pk)
                if asked.status == ReversalRequest.Status.PENDING:
                    asked.status, asked.decided_by, asked.decided_at, asked.note = (
                        ReversalRequest.Status.REJECTED,
                        request.user,
                        timezone.now(),
                        note,
                    )
                    asked.save()
            log(asked, "points.reject_reversal", user=request.user, data={"note": note})
            messages.success(request, _("已驳回这条冲正申请。"))
            return redirect("points_admin:reversals")
        try:
            with transaction.atomic():
                asked = ReversalRequest.objects.select_for_update().select_related("transfer").get(pk=asked.pk)
                if asked.status != ReversalRequest.Status.PENDING:
                    raise LedgerError(_("这条冲正申请已经处理过了。"))
                record = ledger.reverse(
                    asked.transfer, reason=asked.reason, requested_by=asked.requested_by, approved_by=request.user
                )
                asked.status, asked.decided_by, asked.decided_at, asked.note, asked.reversal = (
                    ReversalRequest.Status.APPROVED,
                    request.user,
                    timezone.now(),
                    note,
                    record,
                )
                asked.save()
        except LedgerError as refused:
            messages.error(request, refused.messages[0])
        else:
            messages.success(request, _("已冲正。"))
        return redirect("points_admin:reversals")


# --- Settling with member shops ------------------------------------------------------------------


def _month(request):
    """The month asked for (YYYY-MM), last month by default; a wrong one is a 404 with a message."""
    form = MonthForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise Http404(form.errors["month"][0])
    chosen = form.cleaned_data.get("month") if form.is_bound else None
    return month_start(chosen or (month_start(timezone.localdate()) - datetime.timedelta(days=1)))


class SettlementView(PointsAdminView):
    template_name = "points/admin/settlements.html"
    permission = staticmethod(can.can_settle)
    page_title = gettext_lazy("月度结算")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month(self.request)
        start, end = month_bounds(month)
        taken = dict(
            Entry.objects.filter(
                account__kind=Account.Kind.MERCHANT,
                created_at__gte=start,
                created_at__lt=end,
                transfer__kind__in=[Transfer.Kind.SPEND, Transfer.Kind.REVERSE],
            )
            .values("account__merchant")
            .annotate(total=Sum("amount"))
            .values_list("account__merchant", "total")
        )
        settled = {s.merchant_id: s for s in Settlement.objects.filter(month=month).select_related("confirmed_by")}
        shops = Merchant.objects.filter(pk__in=set(taken) | set(settled)).order_by("name")
        context.update(
            month=month,
            rows=[(shop, taken.get(shop.pk, 0), settled.get(shop.pk)) for shop in shops],
            previous=month_start(month - datetime.timedelta(days=1)),
            next=month_start(month + datetime.timedelta(days=32))
            if month < month_start(timezone.localdate())
            else None,
            month_open=month >= month_start(timezone.localdate()),
        )
        return context

    def post(self, request, *args, **kwargs):
        month = _month(request)
        merchant = Merchant.objects.filter(pk=params.whole_number(request.POST.get("merchant", "")) or 0).first()
        if merchant is None:
            messages.error(request, _("请选择要结算的商户。"))
        else:
            try:
                settlement = settle(merchant, month, request.user)
            except LedgerError as refused:
                messages.error(request, refused.messages[0])
            else:
                messages.success(
                    request,
                    _("已确认 %(shop)s %(month)s 的结算：%(points)d 分。")
                    % {"shop": merchant.name, "month": f"{month:%Y-%m}", "points": settlement.points},
                )
        return redirect(reverse("points_admin:settlements") + f"?month={month:%Y-%m}")


def settlement_statement(request, merchant_pk):
    can.require(can.can_settle, request.user)
    merchant = get_object_or_404(Merchant, pk=merchant_pk)
    month = _month(request)
    response = HttpResponse(
        statement_workbook(merchant, month),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = statement_disposition(merchant, month)
    return response
