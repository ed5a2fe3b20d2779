"""The authentication backend of sessions signed in by SMS code.

It never authenticates by itself (sign-in happens in accounts/signin.py after the code is
verified); it restores the user of such a session on later requests, and refuses any user who
holds staff rights, so an SMS-code session can never act as staff.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.db.models import Exists, OuterRef


class MobileCodeBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        User = get_user_model()
        # One query per request: the user, unless it holds staff rights of any kind.
        rights = Exists(User.groups.through.objects.filter(user=OuterRef("pk"))) | Exists(
            User.user_permissions.through.objects.filter(user=OuterRef("pk"))
        )
        return (
            User.objects.filter(pk=user_id, is_active=True, is_staff=False, is_superuser=False).exclude(rights).first()
        )
