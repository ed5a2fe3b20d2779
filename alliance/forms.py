"""Admin forms of the registry: records stay inside the communities their editor holds, and
merchants' pasted identifiers are normalised before they are validated."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .fields import MobileField
from .validators import normalise_credit_code, validate_credit_code


class CommunityScopedForm(WagtailAdminModelForm):
    """A registry form that keeps records inside the communities its user holds (moderates).

    Which community a grid or a merchant belongs to decides whose inbox its cases reach and who
    reviews, settles and scores for it. So a user who does not hold every community (only a
    superuser does) may change only records of the communities they hold, and may choose only
    those communities and their grids. Checked here, on the server, whatever the widget offered:
    moving a grid from another community into one's own is refused as well as the reverse.
    """

    # Field name -> lookup from a choice of that field to its community's pk ("pk" for a community).
    scoped_fields = {}
    # The instance's attribute holding its community; "" when the instance is a community.
    record_community = "community"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.held = None if user is None or user.is_superuser else user.moderated_communities.values("pk")
        if self.held is None:
            return
        for name, lookup in self.scoped_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
            # A plain list of what they may pick (the chooser would offer every community); the
            # current value stays listed so the form shows the record as it is.
            field.widget = forms.Select()
            field.queryset = field.queryset.filter(Q(**{f"{lookup}__in": self.held}) | Q(pk=current))

    def community_of_record(self):
        if not self.instance.pk:
            return None
        return getattr(self.instance, self.record_community) if self.record_community else self.instance

    def clean(self):
        cleaned = super().clean()
        if self.held is None:
            return cleaned
        community = self.community_of_record()
        if community is not None and not self.held.filter(pk=community.pk).exists():
            raise ValidationError(
                _(
                    "“%(community)s”不是您负责的社区，您不能修改其中的记录。如需调整，请联系该社区的审核人或系统管理员。"
                ),
                code="community_not_held",
                params={"community": community.name},
            )
        for name, lookup in self.scoped_fields.items():
            choice = cleaned.get(name)
            if choice is None or name not in self.changed_data:
                continue
            if not self.held.filter(pk=_follow(choice, lookup)).exists():
                self.add_error(name, _("只能选择您负责的社区及其网格。"))
        return cleaned


def _follow(obj, lookup):
    """The value at `lookup` ("community__pk", "pk") from `obj`."""
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj


class CommunityAdminForm(CommunityScopedForm):
    record_community = ""


class GridAdminForm(CommunityScopedForm):
    scoped_fields = {"community": "pk"}


class MerchantAdminForm(CommunityScopedForm):
    scoped_fields = {"community": "pk", "grid": "community__pk"}

    # Wider than the stored 18 characters so pasted spaces and full-width characters
    # reach clean_credit_code and get a precise message instead of "too long".
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=60,
        required=False,
        help_text=_("营业执照上的 18 位代码；校验位不符时会标记出来，请核对执照原件"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )
    mobile = MobileField(
        label=_("联系手机"),
        max_length=40,
        required=False,
        autocomplete="off",
        help_text=_("仅工作人员可见，不在网站公开"),
    )

    def clean_credit_code(self):
        value = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        if not value:
            return None
        validate_credit_code(value)
        # Name the other shop: staff usually need to know whether it is a duplicate
        # entry or a mistyped licence, which the generic unique message cannot tell.
        other = self._meta.model.objects.filter(credit_code=value).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(
                _("该统一社会信用代码已被商户“%(name)s”使用，请核对营业执照。"),
                code="unique",
                params={"name": other.name},
            )
        return value
