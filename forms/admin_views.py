"""Casework in the Wagtail admin: inboxes by role, the case page with its actions, photos,
supervision (督办) and statistics.

Every view finds its case through `permissions.cases_visible_to`, so a case outside the
user's grids or communities is a 404 whichever URL is typed; menus only mirror that.
"""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.filters import BooleanRadioSelect, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, Table, TitleColumn
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.base import BaseListingView

from alliance.models import Community, Grid

from . import stats
from .casework import TRANSITIONS, TransitionError, allowed_actions, perform
from .models import CaseCategory, CaseEvent, CasePhoto, GrievanceReport
from .permissions import can_see_full_contact, cases_visible_to, is_caseworker, role_for
from .uploads import sanitise_image

S = GrievanceReport.State
# A case in one of these states needs no more work towards its resolve deadline.
FINISHED_STATES = (S.RESOLVED, S.FOLLOWED_UP, S.CLOSED, S.DECLINED, S.DUPLICATE)
MAX_RESULT_PHOTOS = 3
REVEALED_SESSION_KEY = "intake_revealed_contacts"

EVENT_LABELS = {
    "rate": gettext_lazy("反映人评价"),
    "supervise": gettext_lazy("督办"),
    "reveal_contact": gettext_lazy("查看完整联系方式"),
    "purge_contact": gettext_lazy("清除联系方式"),
}


def event_label(action):
    transition = TRANSITIONS.get(action)
    return transition.label if transition else EVENT_LABELS.get(action, action)


def late_condition(now=None):
    """Cases past a deadline they have not met: accept_due while still submitted, or
    resolve_due while not yet resolved (or ended otherwise)."""
    now = now or timezone.now()
    return Q(state=S.SUBMITTED, accept_due__lt=now) | (Q(resolve_due__lt=now) & ~Q(state__in=FINISHED_STATES))


def overdue_condition(now=None):
    """Flagged by supervise_cases, or late now (the command runs on a schedule)."""
    return (Q(overdue=True) & ~Q(state__in=FINISHED_STATES)) | late_condition(now)


def _memo(user, name, compute):
    # Menus, panels and views ask the same question several times per request; ask the database once.
    if not hasattr(user, name):
        setattr(user, name, compute(user))
    return getattr(user, name)


def is_moderating(user):
    return user.is_authenticated and _memo(
        user, "_intake_moderating", lambda u: u.is_superuser or u.moderated_communities.exists()
    )


def caseworker(user):
    return user.is_authenticated and _memo(user, "_intake_caseworker", is_caseworker)


def require_caseworker(request):
    # Editors reach the admin too; they have no business with cases.
    if not caseworker(request.user):
        raise PermissionDenied


def visible_case(request, pk):
    """The case if this user may see it, else 404 (not 403: do not confirm it exists)."""
    require_caseworker(request)
    queryset = cases_visible_to(request.user).select_related("category", "community", "grid", "assignee")
    return get_object_or_404(queryset, pk=pk)


# --- The case list ----------------------------------------------------------------------


class CaseFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=S.choices, empty_label=gettext_lazy("全部"))
    category = django_filters.ModelChoiceFilter(label=gettext_lazy("类别"), queryset=CaseCategory.objects.all())
    community = django_filters.ModelChoiceFilter(label=gettext_lazy("社区"), queryset=Community.objects.none())
    grid = django_filters.ModelChoiceFilter(label=gettext_lazy("网格"), queryset=Grid.objects.none())
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("超期"), method="filter_overdue", widget=BooleanRadioSelect
    )

    class Meta:
        model = GrievanceReport
        fields = ["state", "category", "community", "grid", "overdue"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        # Offer only the communities and grids this user works in.
        if user.is_superuser:
            communities, grids = Community.objects.all(), Grid.objects.select_related("community")
        else:
            communities = Community.objects.filter(Q(moderators=user) | Q(grids__workers=user)).distinct()
            grids = (
                Grid.objects.filter(Q(community__moderators=user) | Q(workers=user))
                .select_related("community")
                .distinct()
            )
        self.filters["community"].queryset = communities
        self.filters["grid"].queryset = grids

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class CaseTable(Table):
    def get_row_classname(self, instance):
        return "intake-overdue" if instance.is_late else ""


class CaseIndexView(BaseListingView):
    """工单: the cases of the user's grids / communities (all for a superuser)."""

    page_title = gettext_lazy("民情诉求")
    header_icon = "clipboard-list"
    template_name = "intake_admin/case_index.html"
    table_class = CaseTable
    index_url_name = "intake_cases:index"
    index_results_url_name = "intake_cases:index_results"
    is_searchable = True
    search_fields = ["reference", "address", "description"]
    search_backend_name = None  # substring match in the database; Chinese has no word breaks
    filterset_class = CaseFilterSet
    default_ordering = "resolve_due"
    paginate_by = 30
    verbose_name = gettext_lazy("工单")
    verbose_name_plural = gettext_lazy("工单")

    def dispatch(self, request, *args, **kwargs):
        self.check_access(request)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request):
        require_caseworker(request)

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "reference",
                label=_("工单编号"),
                get_url=lambda r: reverse("intake_cases:detail", args=[r.pk]),
                sort_key="reference",
            ),
            Column("category", label=_("类别"), accessor="category.name"),
            Column("place", label=_("地点"), accessor=lambda r: f"{r.grid} · {r.address}"),
            Column("reporter", label=_("反映人"), accessor=lambda r: f"{r.masked_name} {r.masked_mobile}".strip()),
            StatusTagColumn(
                "state",
                label=_("状态"),
                accessor="get_state_display",
                primary=lambda r: r.state not in FINISHED_STATES,
                sort_key="state",
            ),
            Column("assignee", label=_("承办人"), accessor=lambda r: r.assignee.get_username() if r.assignee else ""),
            Column("late", label=_("超期"), accessor=lambda r: _("超期") if r.is_late else ""),
            DateColumn("accept_due", label=_("受理期限"), sort_key="accept_due"),
            DateColumn("resolve_due", label=_("办结期限"), sort_key="resolve_due"),
            DateColumn("created_at", label=_("提交时间"), sort_key="created_at"),
        ]

    def get_base_queryset(self):
        queryset = cases_visible_to(self.request.user).select_related(
            "category", "community", "grid__community", "assignee"
        )
        return annotate_late(queryset)

    def order_queryset(self, queryset):
        # A stable second key so pages do not shuffle rows with the same deadline.
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["can_supervise"] = is_moderating(self.request.user)
        return context


def annotate_late(queryset, now=None):
    return queryset.annotate(
        is_late=Case(When(overdue_condition(now), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


class SupervisionView(CaseIndexView):
    """督办: overdue cases of the moderator's communities."""

    page_title = gettext_lazy("督办")
    header_icon = "warning"
    index_url_name = "intake_cases:supervision"
    index_results_url_name = "intake_cases:supervision_results"

    def check_access(self, request):
        if not is_moderating(request.user):
            raise PermissionDenied

    def get_base_queryset(self):
        queryset = super().get_base_queryset().filter(overdue_condition())
        if not self.request.user.is_superuser:
            # A subquery, not a join: the same rows, without joining the M2M table per case.
            moderated = Community.moderators.through.objects.filter(user_id=self.request.user.pk)
            queryset = queryset.filter(community_id__in=moderated.values("community_id"))
        return queryset


# --- One case ---------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to MAX_RESULT_PHOTOS photos, each re-encoded by the upload sanitiser."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, (list, tuple)) else [data]) if u]
        if len(uploads) > MAX_RESULT_PHOTOS:
            raise ValidationError(_("最多上传 %(n)s 张照片。") % {"n": MAX_RESULT_PHOTOS})
        return [sanitise_image(upload) for upload in uploads]


class ActionForm(forms.Form):
    """The note and its visibility; subclasses add what an action needs."""

    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(
        label=gettext_lazy("对反映人公开"), required=False, help_text=gettext_lazy("公开的说明反映人查询工单时可以看到")
    )

    def __init__(self, *args, report, user, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.report, self.user, self.transition = report, user, transition
        self.fields["public"].initial = transition.public_by_default
        self.fields["note"].required = transition.note_required
        self.fields["note"].error_messages["required"] = _("请填写%(action)s的说明。") % {"action": transition.label}

    def perform_data(self):
        return {}


class DuplicateForm(ActionForm):
    reference = forms.CharField(label=gettext_lazy("重复于（工单编号）"), max_length=20)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        # Only a case this user can see: the field is no oracle for other communities' references.
        original = cases_visible_to(self.user).filter(reference=reference).exclude(pk=self.report.pk).first()
        if original is None:
            raise ValidationError(_("找不到这个工单编号，请核对。"))
        return original

    def perform_data(self):
        return {"duplicate_of": self.cleaned_data["reference"]}


class DispatchForm(ActionForm):
    assignee = forms.ModelChoiceField(label=gettext_lazy("网格员"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = self.report.grid.workers.order_by("username")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def perform_data(self):
        return {"assignee": self.cleaned_data["assignee"]}


class TransferForm(ActionForm):
    grid = forms.ModelChoiceField(label=gettext_lazy("转办到网格"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grids = Grid.objects.select_related("community").exclude(pk=self.report.grid_id)
        if not self.user.is_superuser:
            grids = grids.filter(community__moderators=self.user)
        self.fields["grid"].queryset = grids

    def perform_data(self):
        return {"grid": self.cleaned_data["grid"]}


class ResolveForm(ActionForm):
    photos = MultipleImageField(
        label=gettext_lazy("办结照片"), required=False, help_text=gettext_lazy("可选，最多 3 张")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("办理结果")


ACTION_FORMS = {
    "mark_duplicate": DuplicateForm,
    "dispatch": DispatchForm,
    "transfer": TransferForm,
    "resolve": ResolveForm,
}


def action_form(action, report, user, data=None, files=None):
    transition = TRANSITIONS[action]
    form_class = ACTION_FORMS.get(action, ActionForm)
    return form_class(data, files, report=report, user=user, transition=transition, prefix=action)


def _revealed(request, report):
    return report.pk in request.session.get(REVEALED_SESSION_KEY, [])


class CaseDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "intake_admin/case_detail.html"
    header_icon = "clipboard-list"

    def dispatch(self, request, pk):
        self.report = visible_case(request, pk)
        self.role = role_for(request.user, self.report)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("工单 %(reference)s") % {"reference": self.report.reference}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("intake_cases:index"), "label": _("民情诉求")},
            {"url": "", "label": self.report.reference},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        actions = [
            {"transition": t, "form": action_form(t.action, report, self.request.user)}
            for t in allowed_actions(report, self.role)
        ]
        events = [
            {"event": event, "label": event_label(event.action)}
            for event in report.events.select_related("actor").order_by("created_at", "pk")
        ]
        revealed = _revealed(self.request, report) and can_see_full_contact(self.request.user, report)
        context.update(
            report=report,
            role=self.role,
            actions=actions,
            events=events,
            photos=list(report.photos.all()),
            revealed=revealed,
            has_contact=bool(report.reporter_name or report.reporter_mobile or report.reporter_email),
            is_late=GrievanceReport.objects.filter(pk=report.pk).filter(overdue_condition()).exists(),
        )
        return context


@require_POST
def reveal_contact(request, pk):
    """Show the reporter's full name and mobile for this session; logged as a case event."""
    report = visible_case(request, pk)
    if not can_see_full_contact(request.user, report):
        raise Http404
    revealed = request.session.get(REVEALED_SESSION_KEY, [])
    if report.pk not in revealed:
        request.session[REVEALED_SESSION_KEY] = [*revealed, report.pk][-50:]
    CaseEvent.objects.create(
        report=report,
        action="reveal_contact",
        from_state=report.state,
        to_state=report.state,
        actor=request.user,
        note=_("查看了反映人完整联系方式。"),
        public=False,
    )
    return redirect("intake_cases:detail", pk=report.pk)


@require_POST
def perform_action(request, pk, action):
    report = visible_case(request, pk)
    role = role_for(request.user, report)
    if role is None:
        raise Http404
    if action not in TRANSITIONS:
        raise Http404
    form = action_form(action, report, request.user, request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("intake_cases:detail", pk=report.pk)
    try:
        with transaction.atomic():
            report, _event = perform(
                report,
                action,
                request.user,
                role=role,
                note=form.cleaned_data.get("note", ""),
                public=form.cleaned_data.get("public", False),
                **form.perform_data(),
            )
            for photo in form.cleaned_data.get("photos") or []:
                CasePhoto.objects.create(report=report, kind=CasePhoto.Kind.RESULT, file=photo)
    except TransitionError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("工单 %(reference)s 已%(action)s。")
            % {"reference": report.reference, "action": TRANSITIONS[action].label},
        )
    return redirect("intake_cases:detail", pk=report.pk)


CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def case_photo(request, pk, photo_pk):
    """A case photo from private storage, for those who may see the case; never sniffed or run."""
    report = visible_case(request, pk)
    photo = get_object_or_404(CasePhoto, pk=photo_pk, report=report)
    extension = photo.file.name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Statistics ---------------------------------------------------------------------------


class StatsView(WagtailAdminTemplateMixin, TemplateView):
    """响应率 / 解决率 / 满意率 per community and category; definitions in forms.stats."""

    template_name = "intake_admin/stats.html"
    page_title = gettext_lazy("工单统计")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not is_moderating(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = stats.PeriodForm(self.request.GET or None)
        result = None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        elif not form.is_bound:
            start, end = stats.default_period()
            form = stats.PeriodForm(initial={"start": start, "end": end})
        else:
            start = end = None
        if start:
            result = stats.case_rates(self.request.user, start, end)
            context["export_url"] = reverse("intake_cases:stats_export") + f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        context.update(form=form, result=result, start=start, end=end)
        return context


def stats_export(request):
    if not is_moderating(request.user):
        raise PermissionDenied
    form = stats.PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("统计时段无效，请重新选择。"))
        return redirect("intake_cases:stats")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    content = stats.rates_workbook(stats.case_rates(request.user, start, end), start, end)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="shangju-case-rates-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    return response


# --- Dashboard ----------------------------------------------------------------------------


def dashboard_counts(user, now=None):
    """Open, overdue and due-today cases among those the user can see, in one query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=timezone.get_current_timezone())
    end = start + datetime.timedelta(days=1)
    open_cases = Q(~Q(state__in=FINISHED_STATES))
    due_today = (Q(state=S.SUBMITTED) & Q(accept_due__gte=start, accept_due__lt=end)) | (
        ~Q(state__in=FINISHED_STATES) & Q(resolve_due__gte=start, resolve_due__lt=end)
    )
    visible = GrievanceReport.objects.filter(pk__in=cases_visible_to(user).values("pk"))
    return visible.aggregate(
        open=Count("pk", filter=open_cases),
        overdue=Count("pk", filter=overdue_condition(now)),
        due_today=Count("pk", filter=due_today),
    )
