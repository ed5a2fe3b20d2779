"""Run by `manage.py shell` in a fault test's database: a resident with points and one spend code per
kill point, a member shop and its clerk, and one recorded attendance per kill point waiting for a
second person; signed-in sessions for the clerk and the grid worker. Prints `LEDGER <json>`."""

import datetime
import json
import os

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from wagtail.models import Page

from accounts.models import Person, ShopStaff
from accounts.signin import BACKEND
from alliance.models import Community, Grid, Merchant
from bulletins.models import NoticeIndexPage, NoticePage
from points import earning, spending
from points.ledger import transfer
from points.models import Account, Activity, Transfer

POINTS = json.loads(os.environ["LEDGER_POINTS"])
User = get_user_model()


def session_for(user, backend):
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def person(name, mobile):
    user = User.objects.create_user(f"p{mobile}")
    return Person.objects.create(user=user, name=name, mobile=mobile, verified_at=timezone.now())


community = Community.objects.get(slug="faults")
grid = Grid.objects.filter(community=community).first()
shop = Merchant.objects.create(
    name="故障测试粮油店",
    community=community,
    grid=grid,
    category=Merchant.Category.RESTAURANT,
    address="解放路 1 号",
    accepts_volunteer_points=True,
    membership_status=Merchant.Status.MEMBER,
    member_since=datetime.date(2026, 3, 1),
    mobile="13900000001",
)
resident = person("王秀兰", "13812340000")
transfer(
    Transfer.Kind.ISSUE, [(Account.issuer(), -10), (Account.for_person(resident), 10)], key="seed:resident", memo="初始"
)
clerk = person("李店员", "13912340000")
ShopStaff.objects.create(person=clerk, merchant=shop)
codes = {point: spending.issue_code(resident, 2)[1] for point in POINTS}

organiser = User.objects.create_user("organiser", password="x")
organiser.groups.add(Group.objects.get(name="编辑"))
worker = User.objects.create_user("worker", password="x")
worker.groups.add(Group.objects.get(name="网格员"))
index = NoticeIndexPage.objects.first()
if index is None:
    index = Page.objects.get(depth=2).add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
start = timezone.now() - datetime.timedelta(days=1)
notice = index.add_child(
    instance=NoticePage(
        title="街道清扫",
        slug="clean-up",
        kind="volunteer",
        start=start,
        end=start + datetime.timedelta(hours=3),
        place="广场",
    )
)
activity = Activity.objects.create(
    notice=notice, starts_at=start, ends_at=start + datetime.timedelta(hours=3), sign_up_until=start, points_cap=4
)
attendances = {}
for number, point in enumerate(POINTS):
    volunteer = person(f"志愿者{number}", f"1371234000{number}")
    attendances[point] = earning.record_attendance(activity, volunteer, "3", organiser).pk

seeded = {
    "shop": shop.pk,
    "codes": codes,
    "attendances": attendances,
    "clerk_session": session_for(clerk.user, BACKEND),
    "worker_session": session_for(worker, "django.contrib.auth.backends.ModelBackend"),
}
print("LEDGER " + json.dumps(seeded))
