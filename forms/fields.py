"""Fields both public wizards use: where (community, then grid) and photos re-encoded on upload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import Community, Grid
from portal.uploads import sanitise_image

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.community.name} · {obj.name}"


class PlaceFields(forms.Form):
    """Community, then grid, with the grid checked against the community."""

    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=Community.objects.all(),
        empty_label=_("请选择社区"),
        error_messages={"required": _("请选择社区。"), "invalid_choice": _("请从列表中选择社区。")},
    )
    grid = GridChoiceField(
        label=_("网格"),
        queryset=Grid.objects.select_related("community"),
        empty_label=_("请选择网格（不清楚可选离您最近的）"),
        help_text=_("网格是社区划分的片区，每个网格有专门的网格员负责"),
        error_messages={"required": _("请选择网格。"), "invalid_choice": _("请从列表中选择网格。")},
    )

    def clean(self):
        cleaned = super().clean()
        community, grid = cleaned.get("community"), cleaned.get("grid")
        if community and grid and grid.community_id != community.pk:
            self.add_error("grid", _("所选网格不属于所选社区，请重新选择。"))
        return cleaned


class PhotoField(forms.FileField):
    """An optional photo decided by its content: our sanitiser re-encodes it (portal/uploads.py).

    Not Django's ImageField, whose own check would decode the file a second time.
    """

    widget = forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return sanitise_image(upload) if upload else None
