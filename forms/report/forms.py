"""The steps of the grievance wizard, and the tracking and rating forms. Each is a plain Django
form so errors sit next to fields."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.intake import CaseDetailsForm, ReporterForm, address_field
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
    address = address_field()
    photo_1 = PhotoField(label=_("照片 1"), help_text=_("可选，JPG、PNG 或 WebP，每张不超过 8 MB"))
    photo_2 = PhotoField(label=_("照片 2"))
    photo_3 = PhotoField(label=_("照片 3"))

    photo_fields = ("photo_1", "photo_2", "photo_3")


class DetailsStep(CaseDetailsForm):
    """The checks are casework's (casework/intake.py), shared with the Open311 API."""

    title = _("发生了什么")


class ReporterStep(ReporterForm):
    title = _("联系方式")
    consent = forms.BooleanField(
        label=_("我已阅读并同意上方的个人信息告知"),
        error_messages={"required": _("请勾选同意个人信息告知后再继续。")},
    )


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
