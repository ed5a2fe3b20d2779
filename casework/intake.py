"""The checks a new case passes whichever way it comes in: the report wizard's steps
(forms/report/forms.py builds on these forms) and a request posted to the Open311 API
(casework/open311.py). One wording of every error, one set of limits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.fields import MobileField

from .models import Frequency


def address_field():
    """具体地点: where exactly, as the resident says it (kept for the office, never published)."""
    return forms.CharField(
        label=_("具体地点"),
        max_length=200,
        help_text=_("门牌号、楼栋或附近的标志，例如：解放路 18 号烧烤店门口"),
        error_messages={"required": _("请填写具体地点。"), "max_length": _("地点请控制在 200 字以内。")},
    )


class CaseDetailsForm(forms.Form):
    """发生了什么: the description, since when, and how often."""

    description = forms.CharField(
        label=_("情况描述"),
        max_length=2000,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写清楚发生了什么、影响了谁，例如：楼下烧烤店每晚 11 点后仍在户外经营，油烟和噪音很大"),
        error_messages={
            "required": _("请描述发生了什么。"),
            "min_length": _("请多写几个字，至少 %(limit_value)d 个字。"),
            "max_length": _("描述请控制在 %(limit_value)d 字以内（现在 %(show_value)d 字）。"),
        },
    )
    since = forms.CharField(
        label=_("从什么时候开始"),
        max_length=60,
        required=False,
        help_text=_("例如：上个月开始、今年夏天以来"),
        error_messages={"max_length": _("请控制在 60 字以内。")},
    )
    frequency = forms.ChoiceField(
        label=_("多久发生一次"),
        required=False,
        choices=[("", _("请选择")), *Frequency.choices],
        error_messages={"invalid_choice": _("请从列表中选择。")},
    )


class ReporterForm(forms.Form):
    """联系方式: a name and a mobile, or anonymous; an email is optional."""

    anonymous = forms.BooleanField(
        label=_("匿名反映（不留姓名和电话）"),
        required=False,
        help_text=_("匿名反映也会办理，但我们无法向您回访；请记下稍后显示的查询链接"),
    )
    name = forms.CharField(
        label=_("姓名"), max_length=40, required=False, error_messages={"max_length": _("姓名请控制在 40 字以内。")}
    )
    mobile = MobileField(required=False, help_text=_("用于回访和查询进度，只有处理人员能看到"))
    email = forms.EmailField(
        label=_("电子邮箱（可不填）"),
        required=False,
        help_text=_("填写后，每次有新进展会给您发邮件"),
        error_messages={"invalid": _("请输入有效的电子邮箱地址，例如 name@example.com。")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("anonymous"):
            cleaned["name"], cleaned["mobile"], cleaned["email"] = "", "", ""
            return cleaned
        if not cleaned.get("name") and "name" not in self.errors:
            self.add_error("name", _("请填写姓名，或勾选“匿名反映”。"))
        if not cleaned.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", _("请填写手机号码，或勾选“匿名反映”。"))
        return cleaned
