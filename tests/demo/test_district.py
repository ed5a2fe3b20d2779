"""The district-scale demo loader (demo/district.py), built small: shape, consistency,
refusal to load twice, --reset."""

import re
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from wagtail.models import Page

from alliance.models import Community, Grid, GridArea, Merchant
from bulletins.models import HonourRollPage, NewsPage, NoticePage
from casework.models import CaseEvent, DailySequence, GrievanceReport
from demo import district
from tests import factories as f

pytestmark = pytest.mark.django_db
S = GrievanceReport.State


def test_district_build_then_reset(client):
    """One small build (the registry alone is 90 communities and ~600 staff), checked part by part."""
    f.news_index(), f.notice_index(), f.honour_index()
    district.DistrictBuilder(cases=400, merchants=60, news=8, notices=8).build()
    check_registry()
    check_merchants_and_pages()
    check_cases()
    check_inbox_of_a_district_moderator(client)
    check_second_load_refused_and_reset()


def test_command_refuses_to_load_over_an_existing_district():
    f.community(name="安居社区", slug=f"{district.PREFIX}101")
    with pytest.raises(CommandError, match="全区规模演示数据已经存在"):
        call_command("load_demo_content", scale="district")


def check_registry():
    communities = Community.objects.filter(slug__startswith=district.PREFIX)
    assert communities.count() == 90
    assert set(communities.values_list("sub_district", flat=True)) == set(district.STREETS)
    assert not communities.filter(moderators__isnull=True).exists()
    grids = Grid.objects.filter(community__in=communities)
    assert 4 * 90 <= grids.count() <= 8 * 90
    # Every grid has a street and buildings, so residents of every community find theirs in the wizard.
    assert not grids.filter(areas__isnull=True).exists()
    kinds = GridArea.objects.filter(grid__community__in=communities).values_list("grid__community", "kind")
    assert len(set(kinds)) == 2 * 90
    assert not grids.filter(workers__isnull=True).exists()
    # Demo staff have no usable password until someone sets one.
    worker = grids.first().workers.get()
    assert not worker.has_usable_password() and worker.groups.filter(name="网格员").exists()


def check_merchants_and_pages():
    merchants = Merchant.objects.filter(community__slug__startswith=district.PREFIX)
    assert merchants.count() == 60
    assert merchants.filter(membership_status="member").count() > 60 // 2
    assert merchants.values("credit_code").distinct().count() == 60
    assert NewsPage.objects.live().filter(slug__startswith=district.PREFIX).count() == 8
    notices = NoticePage.objects.live().filter(slug__startswith=district.PREFIX)
    assert notices.count() == 8 and notices.exclude(repeat="").exists()
    rolls = HonourRollPage.objects.live().filter(slug__startswith=district.PREFIX)
    assert rolls.count() >= 6 and all(r.honours.exists() for r in rolls)
    page = NewsPage.objects.filter(slug__startswith=district.PREFIX).first()
    assert page.live_revision_id and page.first_published_at.date() == page.date
    # A sound tree: treebeard finds no bad paths, depths or child counts.
    assert all(not problems for problems in Page.find_problems())


def check_cases():
    cases = GrievanceReport.objects.filter(submission_key__startswith=district.CASE_KEY_PREFIX)
    assert cases.count() == 400
    assert all(re.fullmatch(r"SJ-\d{8}-\d{4}", r) for r in cases.values_list("reference", flat=True))
    assert cases.filter(state=S.CLOSED).exists() and cases.filter(state__in=[S.SUBMITTED, S.ACCEPTED]).exists()
    # Every case's grid belongs to its community, and its state is where its events lead.
    assert not cases.exclude(grid__community=F("community")).exists()
    last = defaultdict(lambda: S.SUBMITTED)
    for report_id, action, to_state in (
        CaseEvent.objects.filter(report__in=cases)
        .order_by("created_at", "pk")
        .values_list("report_id", "action", "to_state")
    ):
        if action not in ("rate", "supervise"):
            last[report_id] = to_state
    assert all(last[pk] == state for pk, state in cases.values_list("pk", "state"))
    # Dispatched cases have an assignee who works their grid.
    dispatched = cases.filter(state=S.DISPATCHED).select_related("assignee", "grid").first()
    assert dispatched is None or dispatched.grid.workers.filter(pk=dispatched.assignee_id).exists()
    # The daily sequence moved on: the next real report of today gets an unused number.
    assert not GrievanceReport.objects.filter(reference=DailySequence.next_reference("SJ")).exists()


def check_inbox_of_a_district_moderator(client):
    community = Community.objects.filter(slug__startswith=district.PREFIX).order_by("slug").first()
    moderator = community.moderators.get()
    assert GrievanceReport.objects.visible_to(moderator).count() == community.reports.count()
    other = GrievanceReport.objects.exclude(community=community).first()
    client.force_login(moderator)
    assert client.get(reverse("casework:detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("casework:index"))
    assert response.status_code == 200 and "民情诉求" in response.content.decode()


def check_second_load_refused_and_reset():
    with pytest.raises(CommandError, match="已经存在"):
        call_command("load_demo_content", scale="district")
    district.reset()
    assert not district.exists()
    assert not GrievanceReport.objects.filter(submission_key__startswith=district.CASE_KEY_PREFIX).exists()
    assert not Page.objects.filter(slug__startswith=district.PREFIX).exists()
    assert not Merchant.objects.filter(community__slug__startswith=district.PREFIX).exists()
    assert all(not problems for problems in Page.find_problems())
