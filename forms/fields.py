"""Fields both public wizards use: where (the community on a step of its own, then the street or
building in it) and photos re-encoded on upload.

Nobody picks a grid: residents do not know theirs. They choose their community, then a street or
building of it (or 不清楚), and the grid follows from the registry (alliance.GridArea).
"""

from collections import Counter

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.models import ModelChoiceIterator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from alliance.models import Community, GridArea
from portal.uploads import sanitise_image
from portal.widgets import PlainSelect

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
COMMUNITY_STEP = "community"
UNSURE = "unsure"  # the area choice of a resident who does not know, or does not find, the street or building


def no_grid_error(community):
    """A community without grids cannot take a case online: say so, and where to call instead
    (the community's own phone when the registry has it)."""
    message = _("%(name)s还没有划分网格，暂时不能在网上受理。") % {"name": community.name}
    if community.phone:
        message += _("请拨打%(name)s电话 %(phone)s 反映。") % {"name": community.name, "phone": community.phone}
    else:
        message += _("请拨打社区服务热线反映。")
    return forms.ValidationError(message, code="no_grid")


# --- The community step ------------------------------------------------------------------------


class CommunityIterator(ModelChoiceIterator):
    """The communities from one query, grouped by sub-district (街道) when there are several."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = {}
        for community in self.queryset:
            groups.setdefault(community.sub_district, []).append(self.choice(community))
        if len(groups) <= 1:
            yield from (choice for choices in groups.values() for choice in choices)
            return
        for sub_district in sorted(groups, key=lambda name: (name == "", name)):
            yield (sub_district or _("其他"), groups[sub_district])


class GroupedChoicesBoundField(BoundField):
    @cached_property
    def groups(self):
        """[(heading or "", [choice, ...])]: the radios with the heading of their group, for field.html."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        attrs = self.build_widget_attrs({"id": id_} if id_ else {})
        return [
            (heading or "", [BoundWidget(widget, option, self.form.renderer) for option in options])
            for heading, options, _index in widget.optgroups(self.html_name, widget.format_value(self.value()), attrs)
        ]


class CommunityChoiceField(forms.ModelChoiceField):
    iterator = CommunityIterator
    bound_field_class = GroupedChoicesBoundField


class CommunityStep(forms.Form):
    """在哪个社区: one question on its own screen, so the next step lists only that community's places
    (no JavaScript needed). Big radio targets; grouped by sub-district at district scale."""

    title = _("在哪个社区")
    community = CommunityChoiceField(
        label=_("社区"),
        queryset=Community.objects.order_by("sub_district", "name"),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("不知道属于哪个社区？可以看小区门口或楼道里的公示牌，或问问物业、楼栋长"),
        error_messages={"required": _("请选择社区。"), "invalid_choice": _("请从列表中选择社区。")},
    )

    def clean_community(self):
        community = self.cleaned_data["community"]
        if not community.grids.exists():
            raise no_grid_error(community)
        return community


def chosen_community(wizard):
    """The community chosen on the wizard's community step, or None (not yet, or no longer valid)."""
    return (wizard.get_cleaned_data_for_step(COMMUNITY_STEP) or {}).get("community")


# --- Where in the community -------------------------------------------------------------------


def area_labels(areas):
    """Each area's label by pk, from (pk, name, grid name) rows; the grid's name is added only where two
    areas of the community share a name."""
    counts = Counter(name for _pk, name, _grid in areas)
    return {pk: f"{name}（{grid}）" if counts[name] > 1 else name for pk, name, grid in areas}


class PlaceFields(forms.Form):
    """Where in the community chosen on the step before: one of its streets or buildings, or 不清楚.

    Built with `community` (the wizard passes the one chosen on its community step). Only that
    community's areas are offered and accepted. The list is read as plain values (a district's
    community has up to a couple of hundred areas, and the form is built on several steps); the one
    area chosen is loaded with its grid when the form is cleaned. clean() puts `community`, `grid`
    (the area's; for 不清楚 the community's first grid), `area`, `place_unsure` and `area_label` in
    cleaned_data.
    """

    area = forms.ChoiceField(
        label=_("街巷或楼栋"),
        help_text=_("选最近的街巷或楼栋；不清楚或列表里没有，请选最后一项，社区核实后会转给负责的网格员"),
        widget=PlainSelect,
        error_messages={
            "required": _("请选择街巷或楼栋；不清楚请选“不清楚 / 列表里没有”。"),
            "invalid_choice": _("请从列表中重新选择街巷或楼栋。"),
        },
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_community(community)

    def set_community(self, community):
        self.community = community
        rows = (
            list(
                community.areas()
                .values_list("pk", "name", "kind", "grid__name")
                .order_by("grid__name", "grid__pk", "sort_order", "pk")
            )
            if community is not None
            else []
        )
        self.area_labels = area_labels([(pk, name, grid) for pk, name, _kind, grid in rows])
        groups = [
            (kind.label, [(str(pk), self.area_labels[pk]) for pk, _name, area_kind, _grid in rows if area_kind == kind])
            for kind in GridArea.Kind
        ]
        self.fields["area"].choices = [
            ("", _("请选择")),
            *((label, choices) for label, choices in groups if choices),
            (UNSURE, _("不清楚 / 列表里没有")),
        ]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("area")
        if not choice:
            return cleaned
        if self.community is None:
            self.add_error("area", _("请先回到上一步选择社区。"))
            return cleaned
        # The choice field accepted only this community's areas (or UNSURE).
        area = None
        if choice != UNSURE:
            area = GridArea.objects.select_related("grid").filter(pk=choice, grid__community=self.community).first()
            if area is None:  # removed since the list was read
                self.add_error("area", self.fields["area"].error_messages["invalid_choice"])
                return cleaned
        grid = area.grid if area else self.community.first_grid()
        if grid is None:  # its grids were removed since the community step
            self.add_error("area", no_grid_error(self.community))
            return cleaned
        cleaned.update(
            community=self.community,
            grid=grid,
            area=area,
            place_unsure=area is None,
            area_label=self.area_labels[area.pk] if area else _("不清楚所在街巷或楼栋"),
        )
        return cleaned


class PhotoField(forms.FileField):
    """An optional photo decided by its content: our sanitiser re-encodes it (portal/uploads.py).

    Not Django's ImageField, whose own check would decode the file a second time. A photo the
    wizard kept after sanitising it (forms.wizard.IntakeSessionStorage marks it so in the
    server-side session) is taken as it is: the wizard validates every step again on the review
    page and at the end, and decoding and re-encoding a 1 MB photo each time cost 30 ms.
    """

    widget = forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        if getattr(upload, "kept_sanitised", False):
            return upload
        return sanitise_image(upload)
