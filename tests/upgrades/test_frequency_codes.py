"""casework 0003: frequencies stored as the words people typed become codes with one wording, and
the safety category gets its emergency reminder. Rows written before the migration are kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.models import CaseCategory, GrievanceReport
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("casework", "0002_reporter_account")]
AFTER = [("casework", "0003_frequency_choices_emergency_notice")]


def migrate(target=None):
    """Migrate to target (the latest migrations when None); returns the models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Later migrations exist: whatever happens, leave the database at the latest for the next test."""
    yield
    migrate()


def test_typed_frequencies_become_codes_and_nothing_is_lost(back_to_the_latest_schema):
    grid = f.grid(f.community(name="东门社区"), name="第一网格")
    cases = {word: f.case(grid).pk for word in ["每天", "每周几次", "偶尔", "只有一次", "下雨天", ""]}
    old = migrate(BEFORE)
    Report = old.get_model("casework", "GrievanceReport")
    for word, pk in cases.items():
        Report.objects.filter(pk=pk).update(frequency=word)

    after = migrate(AFTER)

    # The models as of 0003 (the current ones have columns added later).
    Report = after.get_model("casework", "GrievanceReport")
    stored = dict(Report.objects.values_list("pk", "frequency"))
    assert [stored[cases[w]] for w in ["每天", "每周几次", "偶尔", "只有一次", "下雨天", ""]] == [
        "daily",
        "weekly",
        "occasionally",
        "once",
        "下雨天",  # not one of ours: kept as the resident typed it
        "",
    ]
    migrate()
    shown = GrievanceReport.objects.get(pk=cases["每天"]).get_frequency_display()
    assert shown == "几乎每天"
    assert list(CaseCategory.objects.filter(emergency_notice=True).values_list("slug", flat=True)) == ["safety"]
