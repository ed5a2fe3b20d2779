"""The admin form of a round: shops from the chosen communities, raters from the staff, and the
scoring rules locked once scoring has begun (changing a weight mid-round would change every result)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from alliance.models import Merchant

from .models import DIMENSION_KEYS, PARTIES, State

LOCKED_AFTER_DRAFT = [
    "communities",
    "shops",
    "scale_max",
    "min_resident_scores",
    *[f"weight_{key}" for key in DIMENSION_KEYS],
    *[f"weight_{party}" for party in PARTIES],
]


class RoundAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_active=True, person__isnull=True).order_by("username")
        for name in ("community_raters", "chamber_raters"):
            if name in self.fields:
                self.fields[name].queryset = staff
                self.fields[name].label_from_instance = _staff_label
        if "shops" in self.fields:
            self.fields["shops"].queryset = (
                Merchant.objects.members().select_related("community").order_by("community__name", "name")
            )
        if self.instance.pk and self.instance.state != State.DRAFT:
            for name in LOCKED_AFTER_DRAFT:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("评分开始后不能再修改")

    def clean(self):
        cleaned = super().clean()
        communities = cleaned.get("communities")
        shops = cleaned.get("shops")
        if communities is not None and shops is not None:
            allowed = {c.pk for c in communities}
            outside = [shop.name for shop in shops if shop.community_id not in allowed]
            if outside:
                self.add_error("shops", _("这些商户不在所选社区：%(shops)s") % {"shops": "、".join(outside[:10])})
        return cleaned


def _staff_label(user):
    name = user.get_full_name() or user.username
    return f"{name}（{user.username}）" if name != user.username else name
