"""Casework in the Wagtail admin: inboxes by role, the case page with its actions, photos,
supervision (督办) and statistics.

Every view finds its case through `permissions.visible_case` (the queryset rule `visible_to`),
so a case outside the user's grids or communities is a 404 whichever URL is typed; menus only
mirror that.
"""

import django_filters
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.filters import BooleanRadioSelect, WagtailFilterSet
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.base import BaseListingView

from alliance.models import Community, Grid, Merchant
from portal import params
from portal.downloads import attachment, file_name
from portal.people import display_name
from portal.tables import DateTimeColumn, LinkColumn, StackedTable, StatusColumn, TextColumn
from portal.widgets import PlainSelect

from . import stats
from .forms import action_form
from .models import FINISHED_STATES, CaseCategory, CasePhoto, Channel, GrievanceReport, State
from .permissions import (
    can_see_full_contact,
    is_moderating,
    require_caseworker,
    require_moderating,
    role_for,
    visible_case,
)
from .transitions import (
    MACHINE,
    MODERATOR,
    WORKER,
    TransitionError,
    allowed_actions,
    link_merchant,
    perform,
    reveal_contact,
)

REVEALED_SESSION_KEY = "casework_revealed_contacts"


# --- The case list ----------------------------------------------------------------------


class CaseFilterSet(WagtailFilterSet):
    # PlainSelect: a superuser's grid filter lists every grid (544 at district scale).
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"), choices=State.choices, empty_label=gettext_lazy("全部"), widget=PlainSelect
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("类别"), queryset=CaseCategory.objects.all(), widget=PlainSelect
    )
    community = django_filters.ModelChoiceFilter(
        label=gettext_lazy("社区"), queryset=Community.objects.none(), widget=PlainSelect
    )
    grid = django_filters.ModelChoiceFilter(
        label=gettext_lazy("网格"), queryset=Grid.objects.none(), widget=PlainSelect
    )
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("来源渠道"), choices=Channel.choices, empty_label=gettext_lazy("全部"), widget=PlainSelect
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("超期"), method="filter_overdue", widget=BooleanRadioSelect
    )

    class Meta:
        model = GrievanceReport
        fields = ["state", "category", "channel", "community", "grid", "overdue"]

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
        return queryset.overdue() if value else queryset.not_overdue()


class CaseTable(StackedTable):
    def get_row_classname(self, instance):
        return "case-overdue" if instance.is_late else ""


class CaseIndexView(BaseListingView):
    """工单: the cases of the user's grids / communities (all for a superuser)."""

    page_title = gettext_lazy("民情诉求")
    header_icon = "clipboard-list"
    template_name = "casework/admin/case_index.html"
    table_class = CaseTable
    index_url_name = "casework:index"
    index_results_url_name = "casework:index_results"
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
        require_caseworker(request.user)

    @cached_property
    def columns(self):
        return [
            LinkColumn(
                "reference",
                label=_("工单编号"),
                get_url=lambda r: reverse("casework:detail", args=[r.pk]),
                sort_key="reference",
            ),
            TextColumn("category", label=_("类别"), accessor="category.name"),
            TextColumn("place", label=_("地点"), accessor=lambda r: f"{r.grid} · {r.address}"),
            TextColumn("reporter", label=_("反映人"), accessor=lambda r: f"{r.masked_name} {r.masked_mobile}".strip()),
            StatusColumn(
                "state",
                label=_("状态"),
                # The enum's label: get_state_display() rebuilds (and hashes) the whole choices dict per row.
                accessor=lambda r: State(r.state).label,
                primary=lambda r: r.state not in FINISHED_STATES,
                sort_key="state",
            ),
            TextColumn("assignee", label=_("承办人"), accessor=lambda r: display_name(r.assignee)),
            TextColumn("late", label=_("超期"), accessor=lambda r: _("超期") if r.is_late else ""),
            DateTimeColumn("accept_due", label=_("受理期限"), sort_key="accept_due", overdue="accept_late"),
            DateTimeColumn("resolve_due", label=_("办结期限"), sort_key="resolve_due", overdue="resolve_late"),
            DateTimeColumn("created_at", label=_("提交时间"), sort_key="created_at"),
        ]

    def get_base_queryset(self):
        return (
            GrievanceReport.objects.visible_to(self.request.user)
            .select_related("category", "community", "grid__community", "assignee")
            .with_lateness()
        )

    def order_queryset(self, queryset):
        # A stable second key so pages do not shuffle rows with the same deadline.
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["can_supervise"] = is_moderating(self.request.user)
        return context


class SupervisionView(CaseIndexView):
    """督办: overdue cases of the moderator's communities."""

    page_title = gettext_lazy("督办")
    header_icon = "warning"
    index_url_name = "casework:supervision"
    index_results_url_name = "casework:supervision_results"

    def check_access(self, request):
        require_moderating(request.user)

    def get_base_queryset(self):
        return super().get_base_queryset().overdue().moderated_by(self.request.user)


# --- One case ---------------------------------------------------------------------------


def _revealed(request, report):
    return report.pk in request.session.get(REVEALED_SESSION_KEY, [])


class CaseDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "casework/admin/case_detail.html"
    header_icon = "clipboard-list"

    def dispatch(self, request, pk):
        self.report = visible_case(request.user, pk)
        self.role = role_for(request.user, self.report)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("工单 %(reference)s") % {"reference": self.report.reference}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("casework:index"), "label": _("民情诉求")},
            {"url": "", "label": self.report.reference},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        actions = [
            {"transition": t, "form": action_form(t.action, report, self.request.user)}
            for t in allowed_actions(report, self.role)
        ]
        context.update(
            report=report,
            role=self.role,
            actions=actions,
            events=report.events.select_related("actor").order_by("created_at", "pk"),
            photos=list(report.photos.all()),
            can_reveal=can_see_full_contact(self.request.user, report),
            revealed=_revealed(self.request, report) and can_see_full_contact(self.request.user, report),
            has_contact=report.has_contact,
        )
        # One query for the three flags, by the queryset's rules.
        context.update(
            GrievanceReport.objects.filter(pk=report.pk)
            .with_lateness()
            .values("is_late", "accept_late", "resolve_late")
            .get()
        )
        # After a refused attempt the page opens that action's form again.
        context["reopened"] = self.request.GET.get("open", "")
        context["shops"] = list(linkable_shops(report).only("pk", "name")) if self.role in LINKING_ROLES else None
        return context


# Who says which shop a case is about: the community moderator and the case's own worker.
LINKING_ROLES = frozenset({MODERATOR, WORKER})


def linkable_shops(report):
    """The shops of the case's community that a case may be about (not those that left)."""
    return Merchant.objects.filter(community_id=report.community_id).exclude(
        membership_status=Merchant.Status.WITHDRAWN
    )


@require_POST
def link_merchant_view(request, pk):
    """Set (or clear, with an empty choice) the shop the case is about; recorded as an internal event."""
    report = visible_case(request.user, pk)
    if role_for(request.user, report) not in LINKING_ROLES:
        messages.error(request, _("只有社区审核人员和承办网格员可以关联商户。"))
        return redirect("casework:detail", pk=report.pk)
    value = request.POST.get("merchant", "")
    merchant = None
    if value:
        number = params.whole_number(value)
        merchant = linkable_shops(report).filter(pk=number).first() if number is not None else None
        if merchant is None:
            messages.error(request, _("请选择本社区的商户。"))
            return redirect("casework:detail", pk=report.pk)
    try:
        event = link_merchant(report, merchant, request.user)
    except TransitionError as error:
        messages.error(request, error.messages[0])
        return redirect("casework:detail", pk=report.pk)
    if event is not None:
        messages.success(request, event.note)
    return redirect("casework:detail", pk=report.pk)


@require_POST
def reveal_contact_view(request, pk):
    """Show the reporter's full name and mobile for this session; logged as a case event."""
    report = visible_case(request.user, pk)
    if not can_see_full_contact(request.user, report):
        raise Http404
    revealed = request.session.get(REVEALED_SESSION_KEY, [])
    if report.pk not in revealed:
        request.session[REVEALED_SESSION_KEY] = [*revealed, report.pk][-50:]
    reveal_contact(report, request.user)
    return redirect("casework:detail", pk=report.pk)


@require_POST
def perform_action(request, pk, action):
    report = visible_case(request.user, pk)
    role = role_for(request.user, report)
    if role is None or action not in MACHINE:
        raise Http404
    transition = MACHINE[action]
    if transition.roles and role not in transition.roles:
        # Said before the form is read: its choices (grids, workers) are a moderator's.
        messages.error(request, MACHINE.role_refused % {"action": transition.label})
        return redirect("casework:detail", pk=report.pk)
    form = action_form(action, report, request.user, request.POST, request.FILES)
    refused = reverse("casework:detail", args=[report.pk]) + f"?open={action}#action-{action}"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(refused)
    try:
        with transaction.atomic():
            report, _event = perform(
                report,
                action,
                request.user,
                role=lambda locked: role_for(request.user, locked),
                note=form.cleaned_data.get("note", ""),
                public=form.cleaned_data.get("public", False),
                **form.perform_data(),
            )
            for photo in form.cleaned_data.get("photos") or []:
                CasePhoto.objects.create(report=report, kind=CasePhoto.Kind.RESULT, file=photo)
    except TransitionError as error:
        messages.error(request, error.messages[0])
        return redirect(refused)
    messages.success(
        request,
        _("工单 %(reference)s 已%(action)s。") % {"reference": report.reference, "action": MACHINE[action].label},
    )
    return redirect("casework:detail", pk=report.pk)


def case_photo(request, pk, photo_pk):
    """A case photo from private storage, for those who may see the case."""
    report = visible_case(request.user, pk)
    return get_object_or_404(CasePhoto, pk=photo_pk, report=report).response()


# --- Statistics ---------------------------------------------------------------------------


class StatsView(WagtailAdminTemplateMixin, TemplateView):
    """响应率 / 解决率 / 满意率 per community and category; definitions in casework.stats."""

    template_name = "casework/admin/stats.html"
    page_title = gettext_lazy("工单统计")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        require_moderating(request.user)
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
            context["export_url"] = reverse("casework:stats_export") + f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        context.update(form=form, result=result, start=start, end=end)
        return context


def stats_export(request):
    require_moderating(request.user)
    form = stats.PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("统计时段无效，请重新选择。"))
        return redirect("casework:stats")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    content = stats.rates_workbook(stats.case_rates(request.user, start, end), start, end)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    period = _("%(start)s至%(end)s") % {
        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
    }
    response["Content-Disposition"] = attachment(
        file_name(f"{_('工单统计')} {period}", ".xlsx"), f"shangju-case-rates-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    )
    return response
