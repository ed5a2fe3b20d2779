"""我的, the movements page and the shop's desk run the same number of queries however many
movements, sign-ups and spends there are (the page sizes are fixed; nothing is loaded per row)."""

import pytest
from django.test import Client

from points import earning, spending
from tests import factories as f
from tests.accounts.helpers import sign_in
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db
RESIDENT, CLERK = "13812345678", "13900002222"
BUDGET = 40


@pytest.fixture
def world(sms_outbox):
    shop = f.merchant(name="老王粮油店", accepts_volunteer_points=True)
    resident = f.person(name="王秀兰", mobile=RESIDENT)
    f.shop_staff(shop, f.person(name="李店员", mobile=CLERK))
    f.case(f.grid(), reporter_mobile=RESIDENT)
    clients = {"resident": Client(), "clerk": Client()}
    sign_in(clients["resident"], RESIDENT)
    sign_in(clients["clerk"], CLERK)
    return {"shop": shop, "resident": resident, "clients": clients}


def more(world, times):
    """`times` more of everything: issuances, spends at the shop, sign-ups, other residents' spends."""
    organiser, worker = f.editor(), f.grid_worker(f.grid())
    for _number in range(times):
        f.give_points(world["resident"], 3)
        code = spending.issue_code(world["resident"], 1)[1]
        spending.confirm(code, world["shop"], None)
        earning.sign_up(f.activity(), world["resident"])
        other = f.person()
        f.give_points(other, 2)
        spending.confirm(spending.issue_code(other, 2)[1], world["shop"], None)
    past = f.activity(starts_in_days=-1)
    earning.confirm_attendance(earning.record_attendance(past, world["resident"], "2", organiser), worker)


@pytest.mark.parametrize("who,url", [("resident", "/my/"), ("resident", "/my/points/"), ("clerk", "desk")])
def test_pages_run_constant_queries(world, django_assert_max_num_queries, who, url):
    url = f"/my/desk/{world['shop'].pk}/" if url == "desk" else url
    more(world, 1)
    few = rendered_queries(django_assert_max_num_queries, world["clients"][who], url, BUDGET)
    more(world, 25)
    many = rendered_queries(django_assert_max_num_queries, world["clients"][who], url, BUDGET)
    assert many == few, (url, few, many)
