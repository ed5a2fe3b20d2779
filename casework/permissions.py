"""Who may do what with cases: the one place object-level access to casework is decided.

- a superuser sees and moderates every case;
- a community moderator (Community.moderators) sees and moderates the cases of their communities;
- a grid worker (Grid.workers) sees the cases of their grids and works those dispatched to them:
  on a case dispatched to someone else (or not dispatched yet) they are GRID_WORKER, a role no
  transition lists and that may not reveal the reporter's contact.

Which cases a user sees is the queryset rule `GrievanceReport.objects.visible_to(user)`; every
view finds its case through `visible_case`, so a case outside the user's grids or communities is
a 404 whichever URL is typed. Menus and panels ask `is_caseworker` / `is_moderating` and only
mirror the views' checks. (Who may review merchant applications: forms/apply/permissions.py.)
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import GrievanceReport, casework_scope
from .transitions import GRID_WORKER, MODERATOR, WORKER

# Menus, panels and views ask these several times per request: casework_scope asks the database once.


def is_moderating(user):
    """Moderates at least one community (or is a superuser): supervision and statistics."""
    return user.is_authenticated and user.is_active and (user.is_superuser or bool(casework_scope(user).communities))


def is_caseworker(user):
    """Moderates a community or works a grid: the case inbox. Editors reach the admin too; not this."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    scope = casework_scope(user)
    return bool(scope.communities or scope.grids)


def require_caseworker(user):
    if not is_caseworker(user):
        raise PermissionDenied


def require_moderating(user):
    if not is_moderating(user):
        raise PermissionDenied


def visible_case(user, pk):
    """The case if this user may see it, else 404 (not 403: do not confirm it exists)."""
    require_caseworker(user)
    queryset = GrievanceReport.objects.visible_to(user).select_related(
        "category", "community", "grid", "assignee", "merchant"
    )
    return get_object_or_404(queryset, pk=pk)


def role_for(user, report):
    """MODERATOR, WORKER, GRID_WORKER or None: the role `user` acts in on this case.

    WORKER is the case's assignee only; the grid's other workers see it as GRID_WORKER. Pass
    `lambda locked: role_for(user, locked)` to perform() so the role is decided under the lock.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or report.community.moderators.filter(pk=user.pk).exists():
        return MODERATOR
    if report.assignee_id == user.pk:
        return WORKER
    if report.grid.workers.filter(pk=user.pk).exists():
        return GRID_WORKER
    return None


def can_see_full_contact(user, report):
    """Full name and mobile only for those who call the reporter back: the case's assignee and its
    community's moderators. The grid's other workers see the case with the contact masked."""
    return role_for(user, report) in (MODERATOR, WORKER)
