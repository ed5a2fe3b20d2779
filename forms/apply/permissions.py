"""Who may review merchant applications: the one place that access is decided.

- a superuser reviews every community's applications;
- a community's own moderators (Community.moderators) review that community's applications, and
  only those: being in the 审核 group (the office's moderators) gives page publishing and the
  registry of one's own communities, not another community's applicants (as alliance/forms.py
  keeps registry edits inside the communities one holds).

Every review view finds its application through `applications_visible_to` (another community's
is a 404), and the photo view checks the same; the menu item only mirrors `can_review_any`.
"""

from alliance.models import Community

from ..models import MerchantApplication


def reviews_everything(user):
    """Only a superuser reviews every community's applications."""
    return user.is_superuser


def applications_visible_to(user, queryset=None):
    queryset = MerchantApplication.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if reviews_everything(user):
        return queryset
    moderated = Community.moderators.through.objects.filter(user_id=user.pk).values("community_id")
    return queryset.filter(community_id__in=moderated)


def communities_reviewed_by(user):
    """The communities whose applications `user` reviews, for the list's filter."""
    if reviews_everything(user):
        return Community.objects.all()
    return Community.objects.filter(moderators=user)


def can_review_any(user):
    """Shown the 入盟申请 menu and list; one query, remembered on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_can_review_applications"):
        user._can_review_applications = Community.moderators.through.objects.filter(user_id=user.pk).exists()
    return user._can_review_applications
