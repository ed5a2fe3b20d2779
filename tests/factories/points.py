"""Volunteer activities and points, built through the ledger's own functions."""

import datetime

from django.utils import timezone

from points.ledger import transfer
from points.models import Account, Activity, Transfer

from .bulletins import notice
from .sequence import next_number


def activity(title=None, places=20, points_per_hour=1, points_cap=4, starts_in_days=3, **kwargs):
    start = (timezone.now() + datetime.timedelta(days=starts_in_days)).replace(microsecond=0)
    page = kwargs.pop("notice", None) or notice(
        title=title or f"街道清扫{next_number()}", kind="volunteer", start=start
    )
    return Activity.objects.create(
        notice=page,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        places=places,
        points_per_hour=points_per_hour,
        points_cap=points_cap,
        sign_up_until=kwargs.pop("sign_up_until", start - datetime.timedelta(hours=12)),
        **kwargs,
    )


def happened(activity_, days_ago=1):
    """The day of the activity has passed: it started `days_ago` days ago (sign-ups closed before it)."""
    start = (timezone.now() - datetime.timedelta(days=days_ago)).replace(microsecond=0)
    Activity.objects.filter(pk=activity_.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3), sign_up_until=start - datetime.timedelta(hours=12)
    )
    activity_.refresh_from_db()
    return activity_


def give_points(person_, points, memo="测试发放"):
    """Points issued to a resident as a confirmed attendance would (the ledger, not a shortcut)."""
    record, _created = transfer(
        Transfer.Kind.ISSUE,
        [(Account.issuer(), -points), (Account.for_person(person_), points)],
        key=f"test-issue:{next_number()}",
        memo=memo,
    )
    return record
