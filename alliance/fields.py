"""Form fields for the identifiers people type: a mainland mobile number, checked and normalised.

Used by the registry's admin forms and by every public form that asks for a mobile (reports,
applications), so "138 1234 5678", "+86 138-1234-5678" and full-width digits all end up as
13812345678 and a wrong number gets the same Chinese message everywhere.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .validators import normalise_mobile, validate_mobile


class MobileField(forms.CharField):
    """An 11-digit mainland mobile; '' when optional and left empty."""

    # Wider than 11 so pasted spaces, hyphens and +86 reach clean() and get a precise message.
    default_error_messages = {"required": _("请填写手机号码。")}

    def __init__(self, *, autocomplete="tel", **kwargs):
        kwargs.setdefault("label", _("手机号码"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": autocomplete}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        validate_mobile(value)
        return normalise_mobile(value)
