"""Volunteer points in the demo: volunteers with balances, past clean-ups whose attendance the demo
editor recorded and the grid worker confirmed, spends at several member shops, one monthly settlement,
the next clean-up open for sign-up, a shop clerk and an elderly resident with a printed card.

Everything goes through the points app's own functions (earning, ledger, settlement), so the
balances, the two-person rule and the 公示 are real; past movements carry past dates. Run again, it
finds what it made (the ledger's keys, one activity per notice and start) and adds nothing.

`bootstrap_site` prints the demo resident's and clerk's mobiles (codes come by the log SMS backend,
in the `make run` window) and gives the card a PIN, printed once.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import MobileDevice, Person, PointsCard, ShopStaff
from alliance.models import Merchant
from bulletins.models import NoticePage
from points import earning
from points.ledger import transfer
from points.models import Account, Activity, Attendance, Settlement, SignUp, Transfer, month_start
from points.settlement import settle

CLEAN_UP = "sunday-lane-clean-up"
HAIRCUTS = "elderly-month-haircuts-and-clinic"
SHOPS = ("南桥惠万家超市", "丝艺理发店", "南桥粮油店")
CLERK_SHOP = "南桥惠万家超市"


@dataclass(frozen=True)
class PersonSpec:
    name: str
    mobile: str | None
    role: str = ""  # what bootstrap_site prints; empty for the other volunteers


# The resident is also the reporter of demo case 1 (demo/cases.py): her case joins 我的 at sign-in.
RESIDENT = PersonSpec("王秀兰", "13890000101", "居民（有积分、报名和反映的问题）")
CLERK = PersonSpec("周晓梅", "13890000301", f"商户店员（{CLERK_SHOP} 收积分）")
CARD_HOLDER = PersonSpec("刘桂英", None, "没有手机的老人（积分卡）")
VOLUNTEERS = (
    RESIDENT,
    PersonSpec("李建国", "13890000102"),
    PersonSpec("张桂芳", "13890000103"),
    PersonSpec("赵德明", "13890000104"),
    PersonSpec("陈小雨", "13890000105"),
    CARD_HOLDER,
)
# (volunteer, hours) at each past session; 2 points an hour, at most 3 a time.
CLEAN_UP_HOURS = {"王秀兰": "1.5", "李建国": "1.5", "张桂芳": "1", "赵德明": "1.5", "刘桂英": "1"}
HAIRCUT_HOURS = {"王秀兰": "2.5", "陈小雨": "3", "张桂芳": "2"}
# (volunteer, shop, points, days after the first clean-up)
SPENDS = (
    ("王秀兰", "南桥惠万家超市", 3, 2),
    ("李建国", "丝艺理发店", 2, 3),
    ("张桂芳", "南桥惠万家超市", 2, 4),
    ("赵德明", "南桥粮油店", 3, 5),
)


def _sunday_on_or_after(day):
    return day + datetime.timedelta(days=(6 - day.weekday()) % 7)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _past(at, now):
    """Times the demo gives past movements, never later than now (a demo loaded at 6 a.m. on a Monday)."""
    return min(at, now - datetime.timedelta(minutes=1))


def _person(spec, tally):
    person = Person.objects.filter(name=spec.name, mobile=spec.mobile).first()
    if person is not None:
        tally[("person", "unchanged")] += 1
        return person
    user = get_user_model()(username=f"demo-{spec.mobile or secrets.token_hex(4)}")
    user.set_unusable_password()
    user.save()
    person = Person.objects.create(
        user=user, name=spec.name, mobile=spec.mobile, verified_at=timezone.now() if spec.mobile else None
    )
    MobileDevice.objects.create(user=user, name="sms", confirmed=bool(spec.mobile))
    tally[("person", "created")] += 1
    return person


def _activity(notice, start, hours, points_per_hour, cap, places):
    activity, _created = Activity.objects.get_or_create(
        notice=notice,
        starts_at=start,
        defaults={
            "ends_at": start + datetime.timedelta(hours=hours),
            "sign_up_until": start - datetime.timedelta(hours=12),
            "points_per_hour": points_per_hour,
            "points_cap": cap,
            "places": places,
        },
    )
    return activity


def _held(activity, people, hours_by_name, organiser, confirmer, now):
    """Sign-ups, attendance recorded the evening after and confirmed the next morning."""
    for name, hours in hours_by_name.items():
        person = people[name]
        SignUp.objects.get_or_create(
            activity=activity,
            person=person,
            defaults={"status": SignUp.Status.CONFIRMED, "created_at": activity.sign_up_until},
        )
        if Attendance.objects.filter(activity=activity, person=person, confirmed_at__isnull=False).exists():
            continue
        recorded = _past(activity.ends_at + datetime.timedelta(hours=8), now)
        attendance = earning.record_attendance(activity, person, hours, organiser, at=recorded)
        confirmed = _past(recorded + datetime.timedelta(hours=14), now)
        earning.confirm_attendance(attendance, confirmer, at=max(confirmed, recorded))


def build_points(tally, staff, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = {spec.name: _person(spec, tally) for spec in VOLUNTEERS}
    clerk = _person(CLERK, tally)
    shops = {merchant.name: merchant for merchant in Merchant.objects.filter(name__in=SHOPS)}
    ShopStaff.objects.get_or_create(person=clerk, merchant=shops[CLERK_SHOP], defaults={"role": ShopStaff.Role.CLERK})
    if not PointsCard.objects.filter(person=people[CARD_HOLDER.name]).exists():
        card = PointsCard(person=people[CARD_HOLDER.name], issued_by=staff["moderator"])
        card.pin_hash = "!"  # no PIN until bootstrap_site gives one and prints it
        card.save()

    clean_up = NoticePage.objects.get(slug=CLEAN_UP)
    haircuts = NoticePage.objects.get(slug=HAIRCUTS)
    previous_month = month_start(month_start(today) - datetime.timedelta(days=1))
    # The first Sunday of last month, and the last Sunday before today: both held, both confirmed.
    first = _sunday_on_or_after(previous_month)
    latest = today - datetime.timedelta(days=(today.weekday() + 1) % 7 or 7)
    for day in (first, latest):
        activity = _activity(clean_up, _at(day, 7, 30), 1.5, 2, 3, 20)
        _held(activity, people, CLEAN_UP_HOURS, staff["editor"], staff["worker"], now)
    haircut_day = first + datetime.timedelta(days=6)  # the Saturday after
    haircut = _activity(haircuts, _at(haircut_day, 9), 2.5, 1, 4, 8)
    _held(haircut, people, HAIRCUT_HOURS, staff["editor"], staff["worker"], now)

    # The next clean-up more than a day away is open: the resident is signed up, one place is taken.
    coming = _sunday_on_or_after(today + datetime.timedelta(days=2))
    upcoming = _activity(clean_up, _at(coming, 7, 30), 1.5, 2, 3, 20)
    for name in ("王秀兰", "李建国"):
        SignUp.objects.get_or_create(
            activity=upcoming, person=people[name], defaults={"status": SignUp.Status.CONFIRMED}
        )

    for number, (name, shop, points, after) in enumerate(SPENDS):
        at = _past(_at(first + datetime.timedelta(days=after), 10, 15), now)
        transfer(
            Transfer.Kind.SPEND,
            [(Account.for_person(people[name]), -points), (Account.for_merchant(shops[shop]), points)],
            key=f"demo-spend:{number}",
            memo=shops[shop].name,
            at=at,
        )
    # The office settled last month with the supermarket; the other shops' statements wait.
    if not Settlement.objects.filter(merchant=shops[CLERK_SHOP], month=previous_month).exists():
        settle(shops[CLERK_SHOP], previous_month, staff["moderator"], at=_past(_at(month_start(today), 9), now))
    tally[("points", "ready")] += 1
    return people


def give_card_pin(pin=None):
    """A PIN for the demo card if it has none; returns (card, pin) to print once, or None."""
    card = PointsCard.objects.filter(person__name=CARD_HOLDER.name, person__mobile__isnull=True, pin_hash="!").first()
    if card is None:
        return None
    pin = pin or f"{secrets.randbelow(10**4):04d}"
    card.set_pin(pin)
    card.save(update_fields=["pin_hash"])
    return card, pin
