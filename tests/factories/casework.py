"""Cases as they stand in the inbox (without walking the wizard)."""

import datetime

from django.utils import timezone

from casework.models import CaseCategory, GrievanceReport

from .sequence import next_number


def case(grid_, state="submitted", category_slug="noise", **kwargs):
    """A GrievanceReport in grid_ with deadlines a few hours and days ahead unless given."""
    n = next_number()
    now = timezone.now()
    kwargs.setdefault("accept_due", now + datetime.timedelta(hours=4))
    kwargs.setdefault("resolve_due", now + datetime.timedelta(days=7))
    kwargs.setdefault("address", "幸福里 3 号楼")
    kwargs.setdefault("description", "楼下烧烤店每晚十一点后还在放音乐")
    kwargs.setdefault("reporter_name", "王秀兰")
    kwargs.setdefault("reporter_mobile", "13812345678")
    return GrievanceReport.objects.create(
        reference=kwargs.pop("reference", f"SJ-20261122-{n:04d}"),
        secret_hash=f"{n:064d}",
        submission_key=f"case-key-{n}",
        category=CaseCategory.objects.get(slug=category_slug),
        community=grid_.community,
        grid=grid_,
        state=state,
        **kwargs,
    )


# States a case reaches only after it was dispatched to a worker.
DISPATCHED_STATES = {"dispatched", "in_progress", "resolved", "followed_up", "closed"}


def assigned_case(grid_, worker, state="submitted", **kwargs):
    """A case in `state`, assigned to `worker` when that state comes after a dispatch."""
    if state in DISPATCHED_STATES:
        kwargs.setdefault("assignee", worker)
    return case(grid_, state=state, **kwargs)
