"""What each role sees inside the case and application views it may open: grid B's worker never
gets grid A's case, photo, history or export rows, and personal data stays masked until revealed."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from casework.models import CaseEvent, GrievanceReport
from tests import factories as f

from .seed import MASKED_MOBILE, REPORTER_MOBILE

pytestmark = pytest.mark.django_db
A, B, Y = "SJ-20261122-7001", "SJ-20261122-7002", "SJ-20261122-7003"


def as_user(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize(
    "role, seen, unseen",
    [
        ("worker_a", {A}, {B, Y}),
        ("worker_b", {B}, {A, Y}),
        ("moderator", {A, B}, {Y}),
        ("superuser", {A, B, Y}, set()),
    ],
)
def test_inbox_lists_only_the_roles_cases(world, role, seen, unseen):
    client = as_user(world, role)
    body = client.get(reverse("casework:index")).content.decode()
    for reference in seen:
        assert reference in body
    for reference in unseen:
        assert reference not in body
    # Searching for another grid's reference finds nothing either.
    for reference in unseen:
        results = client.get(reverse("casework:index_results"), {"q": reference}).content.decode()
        assert reference not in results


def test_editor_has_no_inbox(world):
    response = as_user(world, "editor").get(reverse("casework:index"))
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_grid_b_worker_gets_nothing_of_grid_a(world):
    client = as_user(world, "worker_b")
    case = world.case_a
    for url in (
        reverse("casework:detail", args=[case.pk]),
        reverse("casework:photo", args=[case.pk, world.photo_a.pk]),
        # Their own case's URL does not serve grid A's photo either.
        reverse("casework:photo", args=[world.case_b.pk, world.photo_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert A not in response.content.decode() and "内部说明" + A not in response.content.decode()
    events = CaseEvent.objects.filter(report=case).count()
    for url in (
        reverse("casework:reveal_contact", args=[case.pk]),
        reverse("casework:action", args=[case.pk, "accept"]),
    ):
        assert client.post(url).status_code == 404, url
    case.refresh_from_db()
    assert case.state == GrievanceReport.State.SUBMITTED
    assert CaseEvent.objects.filter(report=case).count() == events


@pytest.mark.parametrize("role", ["worker_a", "moderator"])
def test_case_page_masks_the_reporter_until_revealed_and_logs_it(world, role):
    # The worker who calls the reporter back is the one the case is dispatched to.
    GrievanceReport.objects.filter(pk=world.case_a.pk).update(assignee=world.worker_a)
    client = as_user(world, role)
    url = reverse("casework:detail", args=[world.case_a.pk])
    page = client.get(url).content.decode()
    assert MASKED_MOBILE in page and REPORTER_MOBILE not in page
    assert "内部说明" + A in page  # the internal history is for those who work the case

    response = client.post(reverse("casework:reveal_contact", args=[world.case_a.pk]))
    assert response.status_code == 302 and response["Location"] == url
    assert REPORTER_MOBILE in client.get(url).content.decode()
    assert CaseEvent.objects.filter(
        report=world.case_a, action="reveal_contact", actor=world.users[role], public=False
    ).exists()
    # Revealing one case does not unmask another.
    other = client.get(reverse("casework:detail", args=[world.case_b.pk]))
    if other.status_code == 200:
        assert REPORTER_MOBILE not in other.content.decode()


@pytest.mark.parametrize("dispatched", [True, False])
def test_a_grid_colleague_cannot_reveal_the_reporter_of_a_case_not_theirs(world, dispatched):
    """Grid A's other worker sees the case (it is their grid's) but not whom to call: only the
    assignee and the community's moderators may reveal the contact."""
    colleague = f.grid_worker(world.grid_a, username="authz_colleague_a")
    GrievanceReport.objects.filter(pk=world.case_a.pk).update(
        assignee=world.worker_a if dispatched else None,
        state=GrievanceReport.State.DISPATCHED if dispatched else GrievanceReport.State.SUBMITTED,
    )
    client = Client()
    client.force_login(colleague)
    url = reverse("casework:detail", args=[world.case_a.pk])
    page = client.get(url).content.decode()
    assert MASKED_MOBILE in page and REPORTER_MOBILE not in page
    assert "显示完整联系方式" not in page
    assert "完整联系方式只有承办的网格员和社区审核人可以查看" in page

    events = CaseEvent.objects.filter(report=world.case_a).count()
    assert client.post(reverse("casework:reveal_contact", args=[world.case_a.pk])).status_code == 404
    assert REPORTER_MOBILE not in client.get(url).content.decode()
    assert CaseEvent.objects.filter(report=world.case_a).count() == events


def test_inbox_masks_every_reporter(world):
    body = as_user(world, "moderator").get(reverse("casework:index")).content.decode()
    assert MASKED_MOBILE in body and REPORTER_MOBILE not in body


def test_case_photo_served_privately_to_its_grid(world):
    response = as_user(world, "worker_a").get(reverse("casework:photo", args=[world.case_a.pk, world.photo_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Content-Type-Options"] == "nosniff"


def export_rows(response):
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    return [" ".join(str(cell) for cell in row if cell is not None) for row in sheet.iter_rows(values_only=True)]


def test_stats_export_holds_only_the_moderators_communities(world):
    url = reverse("casework:stats_export") + "?start=2026-01-01&end=2026-12-31"
    rows = export_rows(as_user(world, "moderator").get(url))
    text = "\n".join(rows)
    assert "东门社区" in text and "西门社区" not in text
    everything = "\n".join(export_rows(as_user(world, "superuser").get(url)))
    assert "西门社区" in everything  # the export does list Y when the user may see it
    for role in ("worker_a", "worker_b", "editor"):
        response = as_user(world, role).get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", role


def test_application_review_shows_contact_to_reviewers_only(world):
    url = reverse("applications:detail", args=[world.application_x.pk])
    page = as_user(world, "moderator").get(url).content.decode()
    assert "东门包子铺" in page and "13900001111" in page
    for role in ("editor", "worker_a", "worker_b"):
        response = as_user(world, role).get(url)
        assert response.status_code == 302 and "东门包子铺" not in response.content.decode(), role
        photo = as_user(world, role).get(reverse("applications:photo", args=[world.app_photo_x.pk]))
        assert photo.status_code == 404, role
    assert Client().get(url)["Location"].startswith("/admin/login/")


def test_merchant_list_masks_mobiles_for_editors(world):
    body = as_user(world, "editor").get(reverse("wagtailsnippets_alliance_merchant:list")).content.decode()
    assert "东门面馆" in body and "139****2222" in body and "13900002222" not in body


def test_community_moderator_cannot_grant_themselves_another_community(world):
    client = as_user(world, "moderator")
    community = client.get(reverse("wagtailsnippets_alliance_community:edit", args=[world.y.pk]))
    grid = client.get(reverse("wagtailsnippets_alliance_grid:edit", args=[world.grid_y.pk]))
    assert 'name="moderators"' not in community.content.decode()
    assert 'name="workers"' not in grid.content.decode()
