"""Personal data shown only as much as a role needs: masked mobiles and names."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _


def mask_mobile(value):
    """138****1234, for roles, pages, logs and exports that do not need the full number."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name, anonymous=False):
    """张** style; 匿名 for someone who left no name or asked not to be named."""
    if anonymous or not name:
        return _("匿名")
    return name[0] + "*" * max(len(name) - 1, 1)
