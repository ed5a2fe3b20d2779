"""Admin menu items shown by a permission check on the user (a callable), for apps' own menus."""

from wagtail.admin.menu import MenuItem


class PermittedMenuItem(MenuItem):
    def __init__(self, label, url, check, **kwargs):
        super().__init__(label, url, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)
