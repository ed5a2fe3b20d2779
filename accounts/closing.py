"""Closing an account (注销账号), as the Personal Information Protection Law gives people the right to.

What identifies the person goes: the mobile number, the name, the SMS device, the printed card and
their places at shop desks; the user can no longer sign in. What the alliance must keep stays: the
ledger is append-only, so the account and its movements remain, under no name; other apps settle
what is theirs first, through the "person_closing" hook (points takes back the balance and voids
live spend codes, in the same transaction). Cases reported keep their own contact, which
casework's purge_contacts removes on its usual schedule.
"""

from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from .models import MobileDevice, Person

# Wagtail hook other apps register (they cannot import accounts' callers): fn(person, at), inside
# the closing transaction with the person's row locked.
PERSON_CLOSING_HOOK = "person_closing"


def close_account(person):
    """Close `person`'s account; returns the closed Person. Closing twice changes nothing more."""
    now = timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().select_related("user").get(pk=person.pk)
        if person.closed_at is not None:
            return person
        for hook in hooks.get_hooks(PERSON_CLOSING_HOOK):
            hook(person, now)
        MobileDevice.objects.filter(user=person.user).delete()
        person.shops.update(active=False)
        if hasattr(person, "card"):
            person.card.active = False
            person.card.save(update_fields=["active"])
        person.mobile, person.name, person.closed_at = None, "", now
        person.save(update_fields=["mobile", "name", "closed_at"])
        user = person.user
        user.is_active = False
        user.set_unusable_password()
        # The username was derived from the mobile: free it, so the number can sign up afresh.
        user.username = f"closed-{user.pk}"
        user.save(update_fields=["is_active", "password", "username"])
    return person
