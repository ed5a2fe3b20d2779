"""Admin registration for the registry: communities, grids and merchants under 联盟名录."""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import BooleanRadioSelect, WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.utils import get_user_display_name
from wagtail.coreutils import multigetattr
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.tables import DateTimeColumn

from .models import Community, Grid, GridArea, Merchant
from .validators import mask_mobile


def _yes_no(value):
    return gettext("是") if value else gettext("否")


# --- Listing and export ---------------------------------------------------------------


class RegistryIndexView(IndexView):
    """Snippet listing whose exports say 是/否 and accept computed columns.

    Every cell passes through portal.spreadsheets (no formulas, no characters XLSX refuses).
    """

    # Export column → callable(instance), for values that are not plain attributes.
    export_accessors = {}
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        bool: {IndexView.FORMAT_CSV: _yes_no, IndexView.FORMAT_XLSX: _yes_no},
    }

    # Export column → mask, for personal data exported in full only to those who may change the
    # record; read-only staff (editors) get it masked, as on screen.
    masked_exports = {}

    @cached_property
    def user_can_change(self):
        return self.permission_policy.user_has_permission(self.request.user, "change")

    def to_row_dict(self, item):
        row = {
            field: self.export_accessors[field](item) if field in self.export_accessors else multigetattr(item, field)
            for field in self.list_export
        }
        if not self.user_can_change:
            for field, mask in self.masked_exports.items():
                if row.get(field):
                    row[field] = mask(row[field])
        return row


class RegistryViewSet(SnippetViewSet):
    index_view_class = RegistryIndexView
    export_accessors = {}
    # Wagtail's admin search autocompletes on the name, which only matches from the start of
    # a Chinese run (老王 finds 老王面馆, 面馆 does not). A substring match in the database
    # finds both, and the registry is small enough (about a thousand shops) for it.
    search_backend_name = None

    masked_exports = {}

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            export_accessors=self.export_accessors, masked_exports=self.masked_exports, **kwargs
        )


class SubstringSearchForm(BaseFilterForm):
    """Chooser search by substring, for the same reason as RegistryViewSet.search_backend_name."""

    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("搜索")}))
    search_fields = ("name",)

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


class RegistryChooserViewSet(SnippetChooserViewSet):
    search_fields = ("name",)

    def get_common_view_kwargs(self, **kwargs):
        form_class = type("SubstringSearchForm", (SubstringSearchForm,), {"search_fields": self.search_fields})
        return super().get_common_view_kwargs(filter_form_class=form_class, **kwargs)


class CommunityChooserViewSet(RegistryChooserViewSet):
    search_fields = ("name", "slug", "sub_district")


class GridChooserViewSet(RegistryChooserViewSet):
    search_fields = ("name", "code", "community__name")

    def get_object_list(self):
        # A grid's title names its community.
        return Grid.objects.select_related("community")


class MerchantChooserViewSet(RegistryChooserViewSet):
    search_fields = ("name", "address")


# --- Communities ----------------------------------------------------------------------


class CommunityViewSet(RegistryViewSet):
    model = Community
    icon = "home"
    menu_label = _("社区")
    ordering = "name"
    list_display = [
        "name",
        "sub_district",
        "slug",
        Column("grid_count", label=_("网格数"), sort_key="grid_count"),
        Column("member_count", label=_("联盟商户数"), sort_key="member_count"),
    ]
    search_fields = ["name", "slug", "sub_district", "address"]
    list_export = ["name", "slug", "sub_district", "address", "phone", "households", "grid_count", "member_count"]
    export_headings = {"grid_count": _("网格数"), "member_count": _("联盟商户数")}
    export_filename = "shangju-communities"
    chooser_viewset_class = CommunityChooserViewSet

    def get_queryset(self, request):
        return Community.objects.annotate(
            grid_count=Count("grids", distinct=True),
            member_count=Count(
                "merchants", filter=Q(merchants__membership_status=Merchant.Status.MEMBER), distinct=True
            ),
        )


# --- Grids ----------------------------------------------------------------------------


def _worker_names(grid):
    return "、".join(get_user_display_name(user) for user in grid.workers.all())


def _area_names(grid):
    return "、".join(area.name for area in grid.areas.all())


class GridIndexView(RegistryIndexView):
    def search_queryset(self, queryset):
        # Also find the grid that covers a street or building, which is how staff route a case.
        if not self.is_searching:
            return queryset
        query = self.search_query
        covering = GridArea.objects.filter(Q(name__icontains=query) | Q(chief__icontains=query)).values("grid_id")
        condition = Q(pk__in=covering)
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": query})
        return queryset.filter(condition)


class GridFilterSet(WagtailFilterSet):
    community = django_filters.ModelChoiceFilter(label=_("所属社区"), queryset=Community.objects.all())

    class Meta:
        model = Grid
        fields = ["community"]


class GridViewSet(RegistryViewSet):
    model = Grid
    index_view_class = GridIndexView
    icon = "grid"
    menu_label = _("网格")
    ordering = ["community__name", "name"]
    list_display = [
        "name",
        Column("community", label=_("所属社区"), accessor="community.name", sort_key="community__name"),
        "code",
        Column("workers", label=_("网格员"), accessor=_worker_names),
        Column("area_count", label=_("街巷和楼栋"), sort_key="area_count"),
    ]
    search_fields = ["name", "code", "community__name"]
    filterset_class = GridFilterSet
    list_export = ["community.name", "name", "code", "workers", "areas"]
    export_headings = {
        "community.name": _("所属社区"),
        "name": _("网格名称"),
        "code": _("网格编号"),
        "workers": _("网格员"),
        "areas": _("覆盖的街巷和楼栋"),
    }
    export_accessors = {"workers": _worker_names, "areas": _area_names}
    export_filename = "shangju-grids"
    chooser_viewset_class = GridChooserViewSet

    def get_queryset(self, request):
        return (
            Grid.objects.select_related("community")
            .prefetch_related("workers", "areas")
            .annotate(area_count=Count("areas", distinct=True))
        )


# --- Merchants ------------------------------------------------------------------------


class CreditCodeColumn(Column):
    """The credit code, with a warning badge when its check character fails."""

    def get_value(self, instance):
        if not instance.credit_code:
            return ""
        if not instance.credit_code_check_failed:
            return instance.credit_code
        return format_html(
            '{} <span class="w-status w-bg-critical-50 w-text-critical-200" data-credit-code-flag title="{}">'
            "⚠ {}</span>",
            instance.credit_code,
            gettext("校验位计算不符，请对照营业执照原件核对"),
            gettext("校验位不符"),
        )


class MerchantFilterSet(WagtailFilterSet):
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Merchant.Category.choices, empty_label=_("全部"), widget=forms.RadioSelect
    )
    community = django_filters.ModelChoiceFilter(label=_("所属社区"), queryset=Community.objects.all())
    membership_status = django_filters.ChoiceFilter(
        label=_("会员状态"), choices=Merchant.Status.choices, empty_label=_("全部"), widget=forms.RadioSelect
    )
    credit_code_check_failed = django_filters.BooleanFilter(label=_("信用代码校验位不符"), widget=BooleanRadioSelect)
    accepts_volunteer_points = django_filters.BooleanFilter(label=_("接受志愿者积分"), widget=BooleanRadioSelect)

    class Meta:
        model = Merchant
        fields = ["category", "community", "membership_status", "credit_code_check_failed", "accepts_volunteer_points"]


class MerchantViewSet(RegistryViewSet):
    model = Merchant
    icon = "tag"
    menu_label = _("商户")
    ordering = "name"
    list_display = [
        "name",
        "category",
        Column("community", label=_("所属社区"), accessor="community.name", sort_key="community__name"),
        Column("grid", label=_("所属网格"), accessor=lambda m: m.grid.name if m.grid else ""),
        CreditCodeColumn("credit_code", label=_("统一社会信用代码"), sort_key="credit_code"),
        # Masked in the list, which is read over shoulders; full in the edit form, and in the export
        # for those who may change merchants (masked_exports below).
        Column("mobile", label=_("联系手机"), accessor=lambda m: mask_mobile(m.mobile) if m.mobile else ""),
        StatusTagColumn(
            "membership_status",
            label=_("会员状态"),
            accessor="get_membership_status_display",
            primary=lambda m: m.is_member,
            sort_key="membership_status",
        ),
        DateTimeColumn("updated_at", label=_("更新时间"), sort_key="updated_at"),
    ]
    search_fields = ["name", "address", "credit_code", "contact_person", "mobile"]
    filterset_class = MerchantFilterSet
    masked_exports = {"mobile": mask_mobile}
    list_export = [
        "name",
        "get_category_display",
        "address",
        "community.name",
        "grid.name",
        "credit_code",
        "credit_code_check_failed",
        "contact_person",
        "mobile",
        "opening_hours",
        "phone",
        "offers",
        "elderly_delivery",
        "accepts_volunteer_points",
        "party_member_shop",
        "get_membership_status_display",
        "member_since",
    ]
    export_headings = {
        "name": _("店名"),
        "get_category_display": _("类别"),
        "address": _("地址"),
        "community.name": _("所属社区"),
        "grid.name": _("所属网格"),
        "credit_code": _("统一社会信用代码"),
        "credit_code_check_failed": _("信用代码校验位不符"),
        "contact_person": _("联系人"),
        "mobile": _("联系手机"),
        "opening_hours": _("营业时间"),
        "phone": _("店铺电话"),
        "offers": _("惠民措施"),
        "elderly_delivery": _("为老人免费送货"),
        "accepts_volunteer_points": _("接受志愿者积分"),
        "party_member_shop": _("党员商户"),
        "get_membership_status_display": _("会员状态"),
        "member_since": _("入盟日期"),
    }
    export_accessors = {"grid.name": lambda m: m.grid.name if m.grid else ""}
    export_filename = "shangju-merchants"
    chooser_viewset_class = MerchantChooserViewSet

    def get_queryset(self, request):
        return Merchant.objects.select_related("community", "grid")


class RegistryViewSetGroup(SnippetViewSetGroup):
    menu_label = _("联盟名录")
    menu_icon = "group"
    menu_order = 200
    items = (MerchantViewSet, CommunityViewSet, GridViewSet)


register_snippet(RegistryViewSetGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_about_failed_credit_code(request, instance):
    # Saved on purpose (the licence may be right and our copy wrong), but staff must look.
    if isinstance(instance, Merchant) and instance.credit_code_check_failed:
        messages.warning(
            request,
            gettext("“%(name)s”的统一社会信用代码 %(code)s 校验位不符，已保存并标记，请对照营业执照原件核对。")
            % {"name": instance.name, "code": instance.credit_code},
        )
