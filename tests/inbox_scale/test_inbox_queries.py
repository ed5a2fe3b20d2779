"""The case inbox at any size: a constant number of queries per role and view, and the
faster visibility scoping (id subqueries, no DISTINCT) still shows each role exactly its cases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import GrievanceReport
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
