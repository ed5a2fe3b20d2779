"""Admin form for merchants: normalise pasted identifiers before they are validated."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .validators import normalise_credit_code, normalise_mobile, validate_credit_code, validate_mobile


class MerchantAdminForm(WagtailAdminModelForm):
    # Wider than the stored 18 characters so pasted spaces and full-width characters
    # reach clean_credit_code and get a precise message instead of "too long".
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=60, required=False)
    mobile = forms.CharField(label=_("联系手机"), max_length=40, required=False)

    def clean_credit_code(self):
        value = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        if value:
            validate_credit_code(value)
        return value or None

    def clean_mobile(self):
        value = self.cleaned_data.get("mobile", "")
        if value:
            validate_mobile(value)
            return normalise_mobile(value)
        return ""
