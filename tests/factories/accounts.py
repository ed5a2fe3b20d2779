"""Residents' and shop staff's accounts, as a verified sign-in leaves them."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import MobileDevice, Person, PointsCard, ShopStaff

from .sequence import next_number


def person(name="王建国", mobile=None, verified=True):
    n = next_number()
    mobile = mobile or f"139{n:08d}"
    user = get_user_model().objects.create_user(f"person{n}", is_active=verified)
    user.set_unusable_password()
    user.save()
    person_ = Person.objects.create(
        user=user, mobile=mobile, name=name, verified_at=timezone.now() if verified else None
    )
    MobileDevice.objects.create(user=user, name="sms", confirmed=verified)
    return person_


def shop_staff(merchant_, person_=None, role=ShopStaff.Role.CLERK):
    person_ = person_ or person(name="李店员")
    ShopStaff.objects.create(person=person_, merchant=merchant_, role=role)
    return person_


def points_card(person_, pin="2468"):
    card = PointsCard(person=person_)
    card.set_pin(pin)
    card.save()
    return card
