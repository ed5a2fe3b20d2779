"""What residents and shop staff type (points to spend, a code at the counter, a points card), and
what staff type in the admin (hours, a resident, a reason, a decision, a month)."""

import unicodedata

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from accounts.models import Person
from alliance.fields import MobileField

from .earning import parse_hours
from .ledger import LedgerError
from .models import Activity


class PointsField(forms.CharField):
    """Whole points as people type them: ３, " 5 ", never -1, 2.5, 1e3 or a thousand digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("积分"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        kwargs.setdefault("error_messages", {"required": _("请填写积分。"), "max_length": _("积分数太大了。")})
        super().__init__(**kwargs)

    def clean(self, value):
        text = unicodedata.normalize("NFKC", super().clean(value) or "").strip()
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(_("积分请填写整数，例如 3。"), code="invalid")
        points = int(text)
        if points < 1:
            raise forms.ValidationError(_("请填写要抵扣的积分，至少 1 分。"), code="min")
        if points > settings.POINTS_MAX_PER_VISIT:
            raise forms.ValidationError(
                _("每次最多抵扣 %(cap)d 分。"), code="max", params={"cap": settings.POINTS_MAX_PER_VISIT}
            )
        return points


class SpendForm(forms.Form):
    points = PointsField(label=_("这次要抵扣多少积分"), help_text=_("例如一袋面粉 32 元，抵扣 3 分就付 29 元"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("居民的抵扣码"),
        max_length=20,
        help_text=_("8 位数字；也可以用手机相机扫居民的二维码"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请输入居民出示的抵扣码。")},
    )


class CardSpendForm(forms.Form):
    number = forms.CharField(
        label=_("积分卡卡号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请输入卡号。")},
    )
    pin = forms.CharField(
        label=_("密码（居民自己输入）"),
        max_length=12,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请居民输入积分卡密码。")},
    )
    points = PointsField(label=_("抵扣积分"))
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)


# --- What staff type in the admin -------------------------------------------------------------


class ActivityAdminForm(WagtailAdminModelForm):
    """The activities snippet's form: a notice of another kind gets the plain reason, not 'invalid choice'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "notice" in self.fields:
            self.fields["notice"].error_messages["invalid_choice"] = _("只能为“志愿服务”类型的通知设置积分活动。")


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault(
            "error_messages", {"required": _("请写明理由。"), "max_length": _("理由请控制在 500 字以内。")}
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            raise forms.ValidationError(_("请写明理由。"), code="required")
        return value


class AttendanceForm(forms.Form):
    """Hours per person signed up, and one walk-in by mobile; checked all together, saved all or nothing."""

    walk_in_mobile = MobileField(
        label=_("现场参加的居民（手机号）"), required=False, help_text=_("没有在网上报名、现场参加的居民")
    )
    walk_in_hours = forms.CharField(label=_("服务时长（小时）"), required=False, max_length=10)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person, initial in self.people:
            self.fields[f"hours_{person.pk}"] = forms.CharField(
                label=person.name or person.masked_mobile, required=False, max_length=10, initial=initial
            )

    def person_fields(self):
        return [(person, self[f"hours_{person.pk}"]) for person, _initial in self.people]

    def _hours(self, name):
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            return parse_hours(text)
        except LedgerError as refused:
            self.add_error(name, refused.messages[0])
            return None

    def clean(self):
        cleaned = super().clean()
        self.records = []
        for person, _initial in self.people:
            hours = self._hours(f"hours_{person.pk}")
            if hours is not None:
                self.records.append((person, hours))
        mobile = cleaned.get("walk_in_mobile")
        walk_in_hours = self._hours("walk_in_hours")
        if mobile and walk_in_hours is None and "walk_in_hours" not in self.errors:
            self.add_error("walk_in_hours", _("请填写现场参加居民的服务时长。"))
        elif walk_in_hours is not None and not mobile and "walk_in_mobile" not in self.errors:
            self.add_error("walk_in_mobile", _("请填写现场参加居民的手机号。"))
        elif mobile and walk_in_hours is not None:
            person = Person.objects.filter(mobile=mobile).first()
            if person is None:
                self.add_error("walk_in_mobile", _("这个手机号还没有居民账号，请先在“积分账户”里添加这位居民。"))
            else:
                self.records.append((person, walk_in_hours))
        if not self.errors and not self.records:
            raise forms.ValidationError(_("请至少填写一位居民的服务时长。"))
        return cleaned


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40, error_messages={"required": _("请填写姓名。")})
    mobile = MobileField(required=False, help_text=_("没有手机的老人可以不填，发一张积分卡"))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写姓名。"))
        return name

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"]
        if mobile and Person.objects.filter(mobile=mobile).exists():
            raise forms.ValidationError(_("这个手机号已经有居民账号了，请在列表中搜索。"))
        return mobile or None


class ActForForm(forms.Form):
    activity = forms.ModelChoiceField(
        label=_("代报名的活动"),
        queryset=Activity.objects.none(),
        error_messages={"required": _("请选择活动。"), "invalid_choice": _("这个活动已截止报名或不存在。")},
    )
    reason = ReasonField(label=_("代办理由"), help_text=_("例如：老人没有智能手机，到社区窗口报名"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = (
            Activity.objects.filter(sign_up_until__gte=timezone.now(), notice__live=True)
            .select_related("notice")
            .order_by("starts_at")
        )


class ReversalForm(forms.Form):
    reason = ReasonField(label=_("冲正理由"), help_text=_("写清楚为什么这笔积分要撤回；由另一位工作人员复核后才生效"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("同意冲正")), ("reject", _("驳回"))],
        error_messages={"required": _("请选择同意或驳回。"), "invalid_choice": _("请选择同意或驳回。")},
    )
    note = forms.CharField(label=_("复核意见"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        required=False,
        error_messages={"invalid": _("月份的格式是 2026-11。")},
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
    )
