"""The steps of the grievance wizard, and the tracking and rating forms. Each is a plain Django
form so errors sit next to fields."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.fields import MobileField
from casework.models import CaseCategory, GrievanceReport

from ..fields import PhotoField, PlaceFields


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.emergency_notice:
            return _("%(name)s：%(explanation)s（正在发生危险请直接拨打 119 / 110 / 120）") % {
                "name": obj.name,
                "explanation": obj.explanation,
            }
        return f"{obj.name}：{obj.explanation}"


class CategoryStep(forms.Form):
    title = _("反映什么问题")
    category = CategoryChoiceField(
        label=_("问题类别"),
        queryset=CaseCategory.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("请选择问题类别。"), "invalid_choice": _("请从列表中选择问题类别。")},
    )


class LocationStep(PlaceFields):
    """具体在哪里: a street or building of the community chosen on the step before, and the address."""

    title = _("具体在哪里")
    address = forms.CharField(
        label=_("具体地点"),
        max_length=200,
        help_text=_("门牌号、楼栋或附近的标志，例如：解放路 18 号烧烤店门口"),
        error_messages={"required": _("请填写具体地点。"), "max_length": _("地点请控制在 200 字以内。")},
    )
    photo_1 = PhotoField(label=_("照片 1"), help_text=_("可选，JPG、PNG 或 WebP，每张不超过 8 MB"))
    photo_2 = PhotoField(label=_("照片 2"))
    photo_3 = PhotoField(label=_("照片 3"))

    photo_fields = ("photo_1", "photo_2", "photo_3")


class DetailsStep(forms.Form):
    title = _("发生了什么")
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
        choices=[("", _("请选择")), *GrievanceReport.Frequency.choices],
        error_messages={"invalid_choice": _("请从列表中选择。")},
    )


class ReporterStep(forms.Form):
    title = _("联系方式")
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
    consent = forms.BooleanField(
        label=_("我已阅读并同意上方的个人信息告知"),
        error_messages={"required": _("请勾选同意个人信息告知后再继续。")},
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


class ReportReviewStep(forms.Form):
    title = _("确认提交")
    confirm = forms.BooleanField(
        label=_("以上信息无误，确认提交"), error_messages={"required": _("请勾选确认后再提交。")}
    )


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("工单编号"),
        max_length=30,
        help_text=_("例如：SJ-20261122-0042"),
        error_messages={"required": _("请填写工单编号。")},
    )
    mobile_last4 = forms.CharField(
        label=_("手机号码后四位"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请填写手机号码后四位。")},
    )

    def clean_reference(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["reference"]).strip().upper().replace(" ", "")

    def clean_mobile_last4(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["mobile_last4"]).strip()
        if not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise forms.ValidationError(_("请输入 4 位数字。"))
        return value


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对办理结果满意吗？"),
        choices=GrievanceReport.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度。"), "invalid_choice": _("请从选项中选择。")},
    )
    comment = forms.CharField(
        label=_("意见"),
        help_text=_("选择“不满意”时请写明原因，社区会据此重新办理；其他情况可不填"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("意见请控制在 %(limit_value)d 字以内。")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rating") == GrievanceReport.Rating.UNSATISFIED and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("请告诉我们哪里不满意，以便重新办理。"))
        return cleaned
