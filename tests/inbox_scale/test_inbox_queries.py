"""The case inbox at any size: a constant number of queries per role and view, whatever the number
of cases, communities and grids; and the faster visibility scoping (the user's community and grid ids
read once, then matched by value: no subquery, no DISTINCT) still shows each role exactly its cases."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import GrievanceReport, casework_scope
from casework.permissions import is_caseworker, is_moderating
from tests import factories as f
from tests.budget import rendered_queries

pytestmark = pytest.mark.django_db
S = GrievanceReport.State
INDEX = reverse("casework:index")
VIEWS = {
    "first page": INDEX,
    "overdue": INDEX + "?overdue=true",
    "search": INDEX + "?q=SJ-2026",
}
BUDGET = 20


@pytest.fixture
def world(django_user_model):
    east, west = f.community(name="东关社区"), f.community(name="西湖社区")
    grid_a, grid_b, grid_w = f.grid(east, name="第一网格"), f.grid(east, name="第二网格"), f.grid(west, name="西一网格")
    return {
        "grids": (grid_a, grid_b, grid_w),
        "superuser": django_user_model.objects.create_superuser("root", "root@example.cn", "x"),
        "moderator": f.community_moderator(east),
        "worker": f.grid_worker(grid_a),
    }


def add_cases(world, count):
    """count cases over three grids, every third one late, in a mix of states."""
    now = timezone.now()
    states = [S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED]
    for n in range(count):
        grid = world["grids"][n % 3]
        late = n % 3 == 0
        f.case(
            grid,
            state=states[n % len(states)],
            accept_due=now - datetime.timedelta(hours=2) if late else now + datetime.timedelta(hours=4),
            resolve_due=now - datetime.timedelta(days=1) if late else now + datetime.timedelta(days=n % 9 + 1),
            assignee=world["worker"] if n % 7 == 0 else None,
        )


@pytest.mark.parametrize("role", ["superuser", "moderator", "worker"])
def test_query_count_does_not_grow_with_cases(client, world, role, django_assert_max_num_queries):
    client.force_login(world[role])
    add_cases(world, 10)
    small = {view: rendered_queries(django_assert_max_num_queries, client, url, BUDGET) for view, url in VIEWS.items()}
    add_cases(world, 50)
    large = {view: rendered_queries(django_assert_max_num_queries, client, url, BUDGET) for view, url in VIEWS.items()}
    assert small == large, role
    # 60 cases fill more than one page (30 a page); a deep page costs what the first does.
    assert rendered_queries(django_assert_max_num_queries, client, INDEX + "?p=2", BUDGET) == large["first page"]


def visible_references(client, url=INDEX + "?p=1"):
    content = client.get(url).content.decode()
    return {r for r in GrievanceReport.objects.values_list("reference", flat=True) if r in content}


def test_each_role_sees_exactly_its_cases(client, world):
    add_cases(world, 21)
    grid_a, grid_b, grid_w = world["grids"]
    expected = {
        "superuser": set(GrievanceReport.objects.values_list("reference", flat=True)),
        "moderator": set(GrievanceReport.objects.filter(grid__in=[grid_a, grid_b]).values_list("reference", flat=True)),
        # Their grid's cases plus those assigned to them elsewhere (e.g. before a transfer).
        "worker": set(GrievanceReport.objects.filter(grid=grid_a).values_list("reference", flat=True))
        | set(GrievanceReport.objects.filter(assignee=world["worker"]).values_list("reference", flat=True)),
    }
    assert expected["worker"] - set(GrievanceReport.objects.filter(grid=grid_a).values_list("reference", flat=True))
    for role, references in expected.items():
        client.force_login(world[role])
        assert visible_references(client) == references, role
        assert GrievanceReport.objects.visible_to(world[role]).count() == len(references), role


def test_a_case_reached_two_ways_is_listed_once(client, world):
    """Moderator of the community, worker of the grid and assignee at once: one row, not three."""
    grid_a = world["grids"][0]
    user = world["moderator"]
    grid_a.workers.add(user)
    case = f.case(grid_a, state=S.DISPATCHED, assignee=user, reference="SJ-20261122-0777")
    assert list(GrievanceReport.objects.visible_to(user)) == [case]
    client.force_login(user)
    content = client.get(INDEX).content.decode()
    assert content.count("SJ-20261122-0777") == 1


def test_outsiders_see_nothing(client, world, django_user_model):
    add_cases(world, 6)
    editor = f.editor()
    assert GrievanceReport.objects.visible_to(editor).count() == 0
    inactive = f.grid_worker(world["grids"][0])
    inactive.is_active = False
    inactive.save()
    assert GrievanceReport.objects.visible_to(inactive).count() == 0
    west_worker = f.grid_worker(world["grids"][2])
    client.force_login(west_worker)
    east_case = GrievanceReport.objects.filter(grid=world["grids"][0]).first()
    assert east_case.reference not in client.get(INDEX).content.decode()
    assert client.get(reverse("casework:detail", args=[east_case.pk])).status_code == 404


def test_overdue_filter_and_search_keep_working(client, world):
    add_cases(world, 12)
    client.force_login(world["moderator"])
    late = set(
        GrievanceReport.objects.filter(grid__community=world["grids"][0].community, resolve_due__lt=timezone.now())
        .exclude(state=S.RESOLVED)
        .values_list("reference", flat=True)
    )
    assert late
    assert visible_references(client, INDEX + "?overdue=true") == late
    target = GrievanceReport.objects.filter(grid=world["grids"][1]).first()
    assert visible_references(client, INDEX + f"?q={target.reference}") == {target.reference}
    west = GrievanceReport.objects.filter(grid=world["grids"][2]).first()
    response = client.get(INDEX + f"?q={west.reference}")
    # The search box repeats the query; the row would carry the case's link.
    detail = reverse("casework:detail", args=[west.pk])
    assert response.status_code == 200 and f'href="{detail}"' not in response.content.decode()


@pytest.mark.parametrize("role", ["superuser", "moderator", "worker"])
def test_query_count_does_not_grow_with_the_registry(client, world, role, django_assert_max_num_queries):
    """The filters' community and grid lists come from one query each, however many there are."""
    client.force_login(world[role])
    add_cases(world, 5)
    small = rendered_queries(django_assert_max_num_queries, client, INDEX, BUDGET)
    east = world["grids"][0].community
    for n in range(12):
        community = f.community(name=f"新社区{n}")
        f.case(f.grid(community, name="第一网格"))
        f.grid(east, name=f"东关第{n}网格")
    world["moderator"].moderated_communities.add(community)
    world["worker"].grids.add(*east.grids.all()[:4])
    assert rendered_queries(django_assert_max_num_queries, client, INDEX, BUDGET) == small, role


def test_the_superusers_grid_filter_lists_every_grid(client, world):
    for n in range(40):
        f.grid(world["grids"][2].community, name=f"西湖第{n:02d}网格")
    client.force_login(world["superuser"])
    content = client.get(INDEX).content.decode()
    grid_select = re.search(r'<select name="grid"[^>]*>(.*?)</select>', content, re.S).group(1)
    assert grid_select.count("<option") == 1 + 3 + 40  # the empty choice, the world's grids, the new ones
    assert "西湖社区 · 西湖第39网格" in grid_select
    chosen = world["grids"][1]
    content = client.get(INDEX + f"?grid={chosen.pk}").content.decode()
    assert f'<option value="{chosen.pk}" selected>东关社区 · 第二网格</option>' in content


def test_visibility_matches_ids_by_value_not_by_subquery(world):
    """With id subqueries inside the OR, PostgreSQL read all 100,000 cases of a district to count a
    moderator's 1,700 (100 ms); matched by value, it combines the community, grid and assignee indexes."""
    moderator, worker = world["moderator"], world["worker"]
    for user in (moderator, worker):
        sql = str(GrievanceReport.objects.visible_to(user).query)
        where = sql.split(" WHERE ", 1)[1]
        assert "SELECT" not in where, where
    grid_a, grid_b, _grid_w = world["grids"]
    assert casework_scope(moderator) == ([grid_a.community_id], [])
    assert casework_scope(worker) == ([], [grid_a.pk])


def test_one_query_answers_every_casework_question_of_a_request(world, django_user_model):
    """Menus, panels and views ask is_caseworker / is_moderating / visible_to of the same user."""
    worker = django_user_model.objects.get(pk=world["worker"].pk)
    with CaptureQueriesContext(connection) as captured:
        assert is_caseworker(worker)
        assert not is_moderating(worker)
        GrievanceReport.objects.visible_to(worker)
        casework_scope(worker)
    assert len(captured) == 1
    # A user loaded afresh (the next request) reads the registry again.
    world["grids"][2].workers.add(worker)
    again = django_user_model.objects.get(pk=worker.pk)
    assert casework_scope(again).grids == sorted([world["grids"][0].pk, world["grids"][2].pk])
