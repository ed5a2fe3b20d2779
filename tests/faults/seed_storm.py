"""Run by `manage.py shell` for tests/faults/test_spend_storm.py: four member shops that take points,
a signed-in clerk at each, and for every round a resident holding k codes' worth of points with
half as many distinct codes as requests and one code shared by the other half. Prints `STORM <json>`."""

import datetime
import json
import os

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accounts.models import Person, ShopStaff
from accounts.signin import BACKEND
from alliance.models import Community, Grid, Merchant
from points import spending
from points.ledger import transfer
from points.models import Account, Transfer

ROUNDS, REQUESTS, K, POINTS = (int(os.environ[name]) for name in ("ROUNDS", "REQUESTS", "K", "POINTS"))
User = get_user_model()


def person(name, mobile):
    user = User.objects.create_user(f"p{mobile}")
    return Person.objects.create(user=user, name=name, mobile=mobile, verified_at=timezone.now())


def session_for(user):
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


community = Community.objects.get(slug="faults")
grid = Grid.objects.filter(community=community).first()
shops = []
for number in range(4):
    shop = Merchant.objects.create(
        name=f"联盟商户{number}",
        community=community,
        grid=grid,
        category=Merchant.Category.RESTAURANT,
        address=f"解放路 {number + 1} 号",
        accepts_volunteer_points=True,
        membership_status=Merchant.Status.MEMBER,
        member_since=datetime.date(2026, 3, 1),
        mobile=f"1390000000{number}",
    )
    clerk = person(f"店员{number}", f"1391234000{number}")
    ShopStaff.objects.create(person=clerk, merchant=shop)
    shops.append({"pk": shop.pk, "session": session_for(clerk.user)})

rounds = []
for number in range(ROUNDS):
    resident = person("王秀兰", f"138{number:08d}")
    transfer(
        Transfer.Kind.ISSUE,
        [(Account.issuer(), -K * POINTS), (Account.for_person(resident), K * POINTS)],
        key=f"storm:{number}",
        memo="初始",
    )
    distinct = [spending.issue_code(resident, POINTS)[1] for _ in range(REQUESTS // 2)]
    shared = spending.issue_code(resident, POINTS)[1]
    rounds.append({"resident": resident.pk, "distinct": distinct, "shared": shared})
print("STORM " + json.dumps({"shops": shops, "rounds": rounds}))
