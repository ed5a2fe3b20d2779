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


class NameForm(forms.Form):
    name = forms.CharField(
        label=_("您的姓名"),
        max_length=20,
        help_text=_("组织人登记出勤时要核对；公示时只显示姓和最后一个字，例如 王*兰"),
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名最多 20 个字。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_name(self):
        name = " ".join(unicodedata.normalize("NFKC", self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        if any(unicodedata.category(c).startswith("C") or c in "<>" for c in name):
            raise forms.ValidationError(_("姓名里不能有特殊符号。"))
        return name


class NewMobileForm(forms.Form):
    mobile = MobileField(label=_("新的手机号码"), help_text=_("我们会发一条短信验证码到新号码"))


class CloseAccountForm(forms.Form):
    understood = forms.BooleanField(
        label=_("我已了解：注销后不能再用这个账号登录，积分余额作废，不能恢复"),
        error_messages={"required": _("请先勾选确认，再注销账号。")},
    )
