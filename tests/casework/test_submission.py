"""Creating reports: unique references and exactly one record per submission, under concurrency."""

import pytest

from casework.models import CaseCategory, DailySequence, GrievanceReport
from casework.submission import submit_report
from tests import factories as f
from tests.threads import run_in_threads


def submit(grid, key):
    return submit_report(
        key,
        category=CaseCategory.objects.get(slug="cooking_fumes"),
        grid=grid,
        address="解放路 18 号",
        description="饭店排烟管正对居民窗户",
        contact={"anonymous": False, "name": "王秀兰", "mobile": "13812345678", "consent": True},
    )


@pytest.mark.django_db
def test_reference_format_and_sequence():
    first = DailySequence.next_reference("SJ")
    second = DailySequence.next_reference("SJ")
    assert first.startswith("SJ-") and len(first) == len("SJ-20261122-0001")
    assert int(second[-4:]) == int(first[-4:]) + 1


@pytest.mark.django_db
def test_same_submission_key_returns_the_first_report():
    grid = f.grid()
    report, secret = submit(grid, "k1")
    again, no_secret = submit(grid, "k1")
    assert again.pk == report.pk and secret and no_secret is None
    assert report.check_secret(secret) and not report.check_secret("guess")
    assert GrievanceReport.objects.count() == 1


@pytest.mark.django_db
def test_the_street_or_building_chosen_is_kept_and_unsure_is_flagged():
    grid = f.grid()
    building = f.grid_area(grid, name="幸福里 3 号楼")
    report, _secret = submit_report(
        "k-area", category=CaseCategory.objects.first(), grid=grid, area=building, address="x", description="楼下很吵"
    )
    assert report.area == building and not report.place_unsure
    unsure, _secret = submit_report(
        "k-unsure",
        category=CaseCategory.objects.first(),
        grid=grid,
        place_unsure=True,
        address="x",
        description="楼下很吵",
    )
    unsure.refresh_from_db()
    assert unsure.area is None and unsure.place_unsure
    building.delete()  # the registry changes; the case stays, without its street or building
    report.refresh_from_db()
    assert report.area is None and report.grid == grid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_reporters_at_once_get_fifty_distinct_references():
    grid = f.grid()
    run_in_threads(50, lambda i: submit(grid, f"reporter-{i}"))
    references = list(GrievanceReport.objects.values_list("reference", flat=True))
    assert len(references) == 50 and len(set(references)) == 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_final_posts_of_one_submission_make_one_record():
    grid = f.grid()
    run_in_threads(10, lambda i: submit(grid, "same-key"))
    assert GrievanceReport.objects.count() == 1
