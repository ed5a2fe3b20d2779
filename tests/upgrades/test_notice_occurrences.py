"""bulletins 0003: the notice occurrence table is created and filled from the notices already
published, so an upgraded site lists the same dates as the code before it did."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bulletins import scheduling
from bulletins.models import NoticePage
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("bulletins", "0002_notice_schedule_help_texts")]
AFTER = [("bulletins", "0003_notice_occurrences")]
NOW = f.shanghai(2026, 11, 22, 10, 0)
at = f.shanghai


def migrate(target=None):
    """Migrate to target (the latest migrations when None); returns the models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Whatever happens, leave the database at the latest migrations for the next test."""
    yield
    migrate()


def test_published_notices_fill_the_table_and_list_as_before(client, home, monkeypatch, back_to_the_latest_schema):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))
    c = f.community(name="东门社区")
    f.notice(title="每月29日集市", start=at(2026, 1, 29, 9), repeat="monthly_day", repeat_day=29, community=c)
    f.notice(title="每周三夜市", start=at(2026, 11, 25, 19), duration_hours=6, repeat="weekly", repeat_weekday=2)
    f.notice(title="下周的义诊", start=at(2026, 11, 29, 8), kind="volunteer")
    f.notice(title="去年的议事会", start=at(2025, 3, 2, 15), kind="meeting")
    f.draft_notice(title="草稿集市", start=at(2026, 11, 28, 9))
    f.notice(title="撤下的集市", start=at(2026, 11, 28, 9)).unpublish()

    migrate(BEFORE)  # the code before: no table; the notices are all there is
    old = migrate(AFTER)

    Occurrence = old.get_model("bulletins", "NoticeOccurrence")
    stored = {(o.notice_id, o.start) for o in Occurrence.objects.all()}
    live = NoticePage.objects.live().order_by("pk")
    made = {(o.notice.pk, o.start) for notice in live for o in scheduling.stored_occurrences(notice, NOW)}
    assert stored == made and len(stored) > 60
    titles = set(Occurrence.objects.values_list("title", flat=True))
    assert titles == {"每月29日集市", "每周三夜市", "下周的义诊", "去年的议事会"}
    row = Occurrence.objects.filter(title="每月29日集市").first()
    assert (row.community_id, row.is_repeat, row.repeat_description, row.kind) == (
        c.pk,
        True,
        "每月 29 日",
        "market_day",
    )

    migrate()
    html = client.get("/notices/").content.decode()
    upcoming = scheduling.upcoming_occurrences(live, now=NOW)
    assert html.count('class="card notice-card') == 20
    for occurrence in upcoming[:20]:
        assert f'datetime="{occurrence.start.isoformat()}"' in html
    archive = client.get("/notices/?archive=1").content.decode()
    assert "去年的议事会" in archive and "草稿集市" not in archive + html and "撤下的集市" not in archive + html
