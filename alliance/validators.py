"""Checks for the identifiers merchants give us: credit codes and mobile numbers."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_credit_code(value):
    """Upper case, half-width, without spaces or hyphens people paste in."""
    value = unicodedata.normalize("NFKC", value or "").upper()
    return re.sub(r"[\s\-]", "", value)


def validate_credit_code(value):
    """Refuse a code of the wrong length or with characters outside the standard's alphabet."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，您输入了 %(n)d 位。"), code="length", params={"n": len(code)}
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="characters",
            params={"chars": "、".join(bad)},
        )


def credit_code_check_character(code):
    """The 18th character the first 17 call for."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_check_passes(value):
    """True when the check character matches; a mismatch is flagged for staff, not refused."""
    code = normalise_credit_code(value)
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        return False
    return code[17] == credit_code_check_character(code)


def normalise_mobile(value):
    """Half-width digits only, without spaces, hyphens or the +86 / 0086 country prefix."""
    value = unicodedata.normalize("NFKC", value or "")
    value = re.sub(r"[\s\-()（）]", "", value)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    return value


def validate_mobile(value):
    if not _MOBILE.match(normalise_mobile(value)):
        raise ValidationError(_("请输入有效的 11 位手机号码，例如 13812345678。"), code="mobile")


def mask_mobile(value):
    """138****1234, for roles and pages that do not need the full number."""
    value = normalise_mobile(value)
    if len(value) != 11:
        return "****"
    return f"{value[:3]}****{value[-4:]}"


# A shop's public phone: a landline, a 400 number or the shop's own mobile, kept as typed for
# reading and dialled as its digits. At most 15 digits (E.164), at least 7 (a local landline).
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9()\- ]+$")


def normalise_public_phone(value):
    """Half-width, spaces collapsed; the grouping people write (0931-8123456) is kept."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def validate_public_phone(value):
    phone = normalise_public_phone(value)
    if not _PHONE_CHARACTERS.match(phone):
        raise ValidationError(
            _("电话号码只能包含数字、空格、“-”、“+”和括号，例如 0931-8123456。"), code="phone_characters"
        )
    if not 7 <= sum(c.isdigit() for c in phone) <= 15:
        raise ValidationError(_("电话号码应有 7 至 15 位数字，例如 0931-8123456。"), code="phone_length")


def tel_uri(value):
    """The tel: link a phone dials (RFC 3966): the digits, and the + of an international number."""
    phone = normalise_public_phone(value)
    return "tel:" + ("+" if phone.startswith("+") else "") + "".join(c for c in phone if c.isdigit())
