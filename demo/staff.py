"""The demo's staff: one editor, one moderator (community secretary) and one grid worker, so a
newcomer can try the admin in each role without opening a shell.

`load_demo_content` creates them without a usable password (an account nobody can sign in with
until someone sets one); `bootstrap_site` (make run) gives each a password and prints it once.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alliance.models import Grid

# The community and grid the demo moderator and worker look after.
COMMUNITY_SLUG = "xingfuli"
GRID_NAME = "第一网格"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    group: str
    role: str  # what the README and the first-run message call the account


STAFF = (
    StaffSpec("editor", "晓燕", "林", "编辑", "编辑（写新闻、通知，提交审核）"),
    StaffSpec("moderator", "建华", "周", "审核", "审核 / 社区书记（审核发布、受理派单、督办、审核入盟申请）"),
    StaffSpec("worker", "志刚", "马", "网格员", "网格员（办理派到本网格的工单）"),
)


def build_staff(tally):
    """The three accounts with their groups, community and grid; idempotent."""
    User = get_user_model()
    grid = Grid.objects.select_related("community").get(community__slug=COMMUNITY_SLUG, name=GRID_NAME)
    accounts = {}
    for spec in STAFF:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            # No email address: the demo's cases would otherwise mail them on every step.
            user = User(username=spec.username, first_name=spec.first_name, last_name=spec.last_name)
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=spec.group))
        accounts[spec.username] = user
        tally[("staff", "created" if created else "unchanged")] += 1
    grid.community.moderators.add(accounts["moderator"])
    grid.workers.add(accounts["worker"])
    return accounts


def give_passwords(password=None):
    """A password for each demo account that has none yet; returns [(spec, password)] to print once.

    With `password` (SHANGJU_DEMO_PASSWORD) every account gets that one, for scripted tries.
    """
    User = get_user_model()
    given = []
    for spec in STAFF:
        user = User.objects.filter(username=spec.username).first()
        if user is None or user.has_usable_password():
            continue
        chosen = password or secrets.token_urlsafe(9)
        user.set_password(chosen)
        user.save(update_fields=["password"])
        given.append((spec, chosen))
    return given
