"""Storing a finished merchant application: one transaction, one application per submission,
its first history entry, and the office told on commit."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.validators import credit_code_check_passes

from ..models import ApplicationEvent, ApplicationPhoto, MerchantApplication
from .notifications import notify_new_application
from .transitions import record


def submit_application(submission_key, *, shop, contact, offers, photos, convention):
    """Store a finished application once; returns (application, secret or None if it existed)."""
    existing = MerchantApplication.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing, None
    now = timezone.now()
    try:
        with transaction.atomic():
            identity, secret = MerchantApplication.new_identity(submission_key, now)
            application = MerchantApplication.objects.create(
                **identity,
                shop_name=shop["shop_name"],
                category=shop["category"],
                address=shop["address"],
                community=shop["community"],
                grid=shop["grid"],
                area=shop["area"],
                place_unsure=shop["place_unsure"],
                credit_code=shop["credit_code"],
                credit_code_check_failed=not credit_code_check_passes(shop["credit_code"]),
                contact_person=contact["contact_person"],
                mobile=contact["mobile"],
                email=contact.get("email", ""),
                consented_at=now,
                offers=offers.get("offers", ""),
                elderly_delivery=offers.get("elderly_delivery", False),
                accepts_volunteer_points=offers.get("accepts_volunteer_points", False),
                opening_hours=offers.get("opening_hours", ""),
                shop_phone=offers.get("shop_phone", ""),
                convention=convention["convention"],
                signed_name=convention["signed_name"],
                signed_at=now,
                created_at=now,
            )
            for kind, photo in photos:
                ApplicationPhoto.objects.create(application=application, kind=kind, file=photo)
            record(application, ApplicationEvent.Action.SUBMIT, note="", created_at=now)
            notify_new_application(application)
    except IntegrityError:
        # A parallel request with the same submission key committed first.
        return MerchantApplication.objects.get(submission_key=submission_key), None
    return application, secret
