"""Sessions signed in by SMS code stay on the public site: under /admin/ they count as anonymous.

Staff sign in to the admin with their own accounts and passwords; a resident's or shopkeeper's
session must never reach it, whatever rights someone later gives that user.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from .signin import BACKEND


class PublicSessionsStayOffAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path_info.startswith(reverse("wagtailadmin_home"))
            and request.session.get(BACKEND_SESSION_KEY) == BACKEND
        ):
            request.user = AnonymousUser()
        return self.get_response(request)
