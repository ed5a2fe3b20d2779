"""The state machine of a merchant application: review decisions and the applicant's resubmission.

The same shape as a case's (portal/statemachine.py): each transition carries its effect, `perform`
is the one way an application changes state, and `record` is the only code that writes an
ApplicationEvent, so the review page shows who decided what, when, from which state, and why.

Approving is one transaction: it creates or updates the alliance Merchant (matched by credit
code) as a member, with the shop-front photo copied into Wagtail's image library, so the public
directory shows it at once.
"""

import secrets

from django.core.files.images import ImageFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model

from alliance.models import Merchant
from alliance.validators import credit_code_check_passes
from portal.statemachine import StateMachine, Transition, TransitionError

from ..models import ApplicationEvent, ApplicationPhoto, MerchantApplication
from .notifications import notify_application_update, notify_new_application

S = MerchantApplication.State
A = ApplicationEvent.Action

__all__ = ["MACHINE", "TransitionError", "perform", "record"]


def record(application, action, *, actor=None, from_state="", note="", created_at=None):
    """Write the ApplicationEvent of a step of `application` (already saved in its new state)."""
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=application.state,
        actor=actor,
        note=note,
        created_at=created_at or timezone.now(),
    )


def _record_transition(application, change):
    event = record(
        application,
        change.transition.action,
        actor=change.actor,
        from_state=change.from_state,
        note=change.note,
        created_at=change.now,
    )
    if change.transition.action == A.RESUBMIT:
        notify_new_application(application)  # back in the office's queue
    else:
        notify_application_update(application)  # the applicant hears the outcome
    return event


# --- Effects -------------------------------------------------------------------------------


def _shop_front_image(application):
    photo = application.photos.filter(kind=ApplicationPhoto.Kind.SHOP_FRONT).order_by("-created_at", "-pk").first()
    if photo is None:
        return None
    extension = photo.file.name.rsplit(".", 1)[-1]
    with photo.file.open("rb") as source:
        return get_image_model().objects.create(
            title=_("%(name)s 门头") % {"name": application.shop_name},
            file=ImageFile(source, name=f"shopfront-{secrets.token_hex(8)}.{extension}"),
        )


def _approve(application, change):
    """Make the shop a member: create or update its Merchant by credit code."""
    merchant = Merchant.objects.select_for_update().filter(credit_code=application.credit_code).first()
    merchant = merchant or Merchant(credit_code=application.credit_code)
    for field in ("category", "address", "community", "grid", "contact_person", "mobile", "opening_hours"):
        setattr(merchant, field, getattr(application, field))
    merchant.name = application.shop_name
    merchant.offers = application.offers
    merchant.phone = application.shop_phone  # public on the shop's page; the mobile above stays with staff
    merchant.elderly_delivery = application.elderly_delivery
    merchant.accepts_volunteer_points = application.accepts_volunteer_points
    if not merchant.is_member or not merchant.member_since:
        merchant.member_since = timezone.localdate()
    merchant.membership_status = Merchant.Status.MEMBER
    image = _shop_front_image(application)
    if image is not None:
        merchant.photo = image
    merchant.save()
    application.merchant = merchant


def _note_for_applicant(application, change):
    application.review_note = change.note


def _resubmit(application, change):
    """The applicant's corrections (cleaned by the amend form) and any new photos."""
    fields = change.data["fields"]
    for name in MerchantApplication.AMENDABLE_FIELDS:
        setattr(application, name, fields[name])
    application.credit_code_check_failed = not credit_code_check_passes(application.credit_code)
    for kind, photo in change.data.get("photos", ()):
        application.photos.filter(kind=kind).delete()
        ApplicationPhoto.objects.create(application=application, kind=kind, file=photo)


MACHINE = StateMachine(
    MerchantApplication,
    [
        Transition(A.APPROVE, frozenset({S.SUBMITTED, S.MORE_INFO}), S.APPROVED, _approve),
        Transition(
            A.MORE_INFO,
            frozenset({S.SUBMITTED}),
            S.MORE_INFO,
            _note_for_applicant,
            note_required=True,
            note_message=_("请写明需要补充的材料。"),
        ),
        Transition(
            A.REJECT,
            frozenset({S.SUBMITTED, S.MORE_INFO}),
            S.REJECTED,
            _note_for_applicant,
            note_required=True,
            note_message=_("请写明不通过的理由。"),
        ),
        # Taken by the applicant through the private link, not by a reviewer.
        Transition(A.RESUBMIT, frozenset({S.MORE_INFO}), S.SUBMITTED, _resubmit),
    ],
    _record_transition,
    state_refused=_("这份申请目前是“%(state)s”，不能再执行这个操作。"),
)

REVIEW_ACTIONS = (A.APPROVE, A.MORE_INFO, A.REJECT)


def perform(application, action, actor=None, *, note="", **data):
    """Apply `action` to `application` under a row lock; returns (application, event)."""
    return MACHINE.perform(application, action, actor, note=note, **data)


def review_actions(application):
    """The decisions a reviewer may take on the application now."""
    return {action for action in MACHINE.actions_from(application.state) if action in REVIEW_ACTIONS}
