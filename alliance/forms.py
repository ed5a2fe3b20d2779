"""Admin form for merchants: normalise pasted identifiers before they are validated."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .fields import MobileField
from .validators import normalise_credit_code, validate_credit_code


class MerchantAdminForm(WagtailAdminModelForm):
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
