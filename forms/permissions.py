"""Who may see and act on which case: the one place object-level access is decided.

- a superuser sees every case;
- a community moderator (Community.moderators) sees and moderates the cases of their communities;
- a grid worker (Grid.workers) sees the cases of their grids and works those dispatched to them.
Every view that shows a case or personal data filters through `cases_visible_to` or checks
`role_for`; menus are no substitute.
"""

from django.db.models import Q

from alliance.models import Community, Grid

from .casework import MODERATOR, WORKER
from .models import GrievanceReport


def cases_visible_to(user, queryset=None):
    queryset = GrievanceReport.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    # Id subqueries rather than joins through the M2M tables: each case matches at most once,
    # so no DISTINCT (a sort over every visible case) and the (community|grid, ...) indexes serve.
    moderated = Community.moderators.through.objects.filter(user_id=user.pk).values("community_id")
    worked = Grid.workers.through.objects.filter(user_id=user.pk).values("grid_id")
    return queryset.filter(Q(community_id__in=moderated) | Q(grid_id__in=worked) | Q(assignee_id=user.pk))


def role_for(user, report):
    """MODERATOR, WORKER or None for this user on this case."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or report.community.moderators.filter(pk=user.pk).exists():
        return MODERATOR
    if report.assignee_id == user.pk or report.grid.workers.filter(pk=user.pk).exists():
        return WORKER
    return None


def can_see_full_contact(user, report):
    """Full name and mobile only for those who call the reporter back; others see them masked."""
    return role_for(user, report) is not None


def is_caseworker(user):
    return user.is_authenticated and (user.is_superuser or user.moderated_communities.exists() or user.grids.exists())
