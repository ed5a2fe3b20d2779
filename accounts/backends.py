"""The authentication backend of sessions signed in by SMS code.

It never authenticates by itself (sign-in happens in accounts/signin.py after the code is
verified); it restores the user of such a session on later requests, and refuses any user who
holds staff rights, so an SMS-code session can never act as staff.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend


def is_public_user(user):
    return user.is_active and not user.is_staff and not user.is_superuser


class MobileCodeBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or not is_public_user(user) or user.user_permissions.exists() or user.groups.exists():
            return None
        return user
