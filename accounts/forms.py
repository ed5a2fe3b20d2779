"""The sign-in forms: a mobile number, then the code it received."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.fields import MobileField


class MobileForm(forms.Form):
    mobile = MobileField(help_text=_("我们会发一条短信验证码到这个号码"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=12,
        help_text=_("6 位数字，几分钟内有效"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("请输入短信验证码。")},
    )

    def clean_code(self):
        # Full-width digits and spaces as phones sometimes paste them.
        return "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
