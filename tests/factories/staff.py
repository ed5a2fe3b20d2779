"""Staff accounts in the groups the migrations create: 编辑 and 审核 (home/0003), 网格员 (intake/0004)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .sequence import next_number


def staff_user(group_name, username=None, **kwargs):
    """A user in one of the staff groups; the group must exist (it comes from a migration)."""
    username = username or f"staff{next_number()}"
    kwargs.setdefault("password", "correct horse battery")
    kwargs.setdefault("email", f"{username}@example.cn")
    user = get_user_model().objects.create_user(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def editor(username=None, **kwargs):
    """编辑: writes and submits for approval, cannot publish."""
    return staff_user("编辑", username=username, **kwargs)


def moderator(username=None, **kwargs):
    """审核: approves and publishes, or sends back with a comment."""
    return staff_user("审核", username=username, **kwargs)


def grid_worker(grid_, username=None, **kwargs):
    """A 网格员 working grid_."""
    user = staff_user("网格员", username=username, **kwargs)
    grid_.workers.add(user)
    return user


def community_moderator(community_, username=None, **kwargs):
    """A 审核 user who moderates community_'s cases and applications."""
    user = moderator(username=username, **kwargs)
    community_.moderators.add(user)
    return user
