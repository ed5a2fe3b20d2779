"""How a person is named wherever the portal shows one: family name then given name, with no
space (林晓燕); the username only for an account that has no name.

Staff sign in with Django's own User (no custom user model: swapping one in mid-project would move
every foreign key to it). Django joins the names given name first, with a space ("晓燕 林"), and
Wagtail shows `get_full_name()` in its listings, page histories, workflow mails and editing
notices, so `install` gives User the Chinese order once, at start-up (portal/apps.py); our own
code and templates call `display_name` (or Wagtail's `user_display_name` filter, which asks it).
Names in Latin letters keep their own order: "Anna Schmidt".
"""

import re

# Han ideographs (the unified block, extension A, compatibility ideographs): a Chinese name.
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def full_name(first_name, last_name):
    """林晓燕 from given name 晓燕 and family name 林; 'Anna Schmidt' for names in Latin letters."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if HAN.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def short_name(first_name, last_name):
    """What a greeting or the account menu uses: the whole name for a Chinese name, else the given name."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if HAN.search(first + last):
        return last + first
    return first


def display_name(user):
    """The person's name, or the username when the account has none; '' for no user."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def install(user_model):
    """Give the user model the Chinese name order (once, from PortalConfig.ready)."""
    user_model.get_full_name = lambda self: full_name(self.first_name, self.last_name)
    user_model.get_short_name = lambda self: short_name(self.first_name, self.last_name)
    _name_the_account_menu()


def _name_the_account_menu():
    """Wagtail's sidebar names the signed-in person by `first_name` alone (晓燕, or 书记 for an account
    whose given name holds a title); it gets the short name instead, like Wagtail's own mails."""
    from wagtail.admin.ui.sidebar import MainMenuModule  # noqa: PLC0415 - needs the app registry

    wagtail_js_args = MainMenuModule.js_args

    def js_args(module):
        args = wagtail_js_args(module)
        account = args[-1] if args and isinstance(args[-1], dict) else None
        if account is not None and "name" in account:
            account["name"] = module.user.get_short_name() or module.user.get_username()
        return args

    MainMenuModule.js_args = js_args
