"""What residents and shop staff type: points to spend, a code at the counter, a points card."""

import unicodedata

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
