"""Opening a case from a finished report: one transaction, one case per submission, routed to its
grid with its deadlines in working hours and days.

The report wizard (forms/report) calls `submit_report`; so will staff taking a case by phone.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import faults

from .models import CasePhoto, Channel, GrievanceReport
from .notifications import notify_new_case
from .workdays import add_working_days, add_working_hours


def submit_report(
    submission_key,
    *,
    category,
    grid,
    address,
    description,
    area=None,
    place_unsure=False,
    since="",
    frequency="",
    contact=None,
    photos=(),
    channel=Channel.ONLINE,
):
    """Store a finished report once; a repeated or parallel post with the same key gets the first.

    `area` is the street or building the resident chose (the grid was routed from it);
    `place_unsure` says they did not know and the grid is the community's first, to be checked.
    `channel` is how the case came in: 网上 from the wizard, 接口 from the Open311 API (casework/open311).

    Returns (report, secret); secret is None when the report already existed (the private
    link was shown to the first request and is not recoverable).
    """
    existing = GrievanceReport.objects.filter(submission_key=submission_key).first()
    if existing:
        return existing, None
    contact = contact or {}
    now = timezone.now()
    faults.checkpoint("before_insert")
    try:
        with transaction.atomic():
            identity, secret = GrievanceReport.new_identity(submission_key, now)
            report = GrievanceReport.objects.create(
                **identity,
                category=category,
                community_id=grid.community_id,
                grid=grid,
                area=area,
                place_unsure=place_unsure,
                address=address,
                description=description,
                since=since,
                frequency=frequency,
                channel=channel,
                anonymous=contact.get("anonymous", False),
                reporter_name=contact.get("name", ""),
                reporter_mobile=contact.get("mobile", ""),
                reporter_email=contact.get("email", ""),
                consented_at=now if contact.get("consent") else None,
                accept_due=add_working_hours(now, category.accept_within_hours),
                resolve_due=add_working_days(now, category.accept_within_hours // 9 + category.resolve_within_days),
                created_at=now,
            )
            faults.checkpoint("after_insert")
            for photo in photos:
                CasePhoto.objects.create(report=report, kind=CasePhoto.Kind.REPORT, file=photo)
            if photos:
                faults.checkpoint("after_photos")  # the files are written before their rows
            # Only a new report gets here; repeated posts of the same key returned above.
            notify_new_case(report)
            faults.checkpoint("before_commit")
    except IntegrityError:
        # A parallel request with the same submission key committed first.
        return GrievanceReport.objects.get(submission_key=submission_key), None
    return report, secret
