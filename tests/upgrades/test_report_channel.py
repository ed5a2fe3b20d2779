"""casework 0005: every case stored before the channel existed came through the wizard, so each
becomes 网上; a row inserted by the previous code during a deploy gets it from the database default."""

import pytest

from casework.models import GrievanceReport
from tests import factories as f
from tests.upgrades.test_frequency_codes import back_to_the_latest_schema, migrate  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("casework", "0004_report_area_place_unsure")]
AFTER = [("casework", "0005_report_channel")]


def test_existing_cases_become_online_and_old_inserts_still_work(back_to_the_latest_schema):  # noqa: F811
    grid = f.grid(f.community(name="东门社区"), name="第一网格")
    first, second = f.case(grid), f.case(grid, state="closed")
    old = migrate(BEFORE)
    Report = old.get_model("casework", "GrievanceReport")
    assert "channel" not in {field.name for field in Report._meta.get_fields()}
    assert Report.objects.count() == 2
    row = Report.objects.values().get(pk=first.pk)

    after = migrate(AFTER)

    New = after.get_model("casework", "GrievanceReport")
    assert dict(New.objects.values_list("pk", "channel")) == {first.pk: "online", second.pk: "online"}
    # The previous code's INSERT names no channel (its model has none): the database fills it in.
    row.update(id=None, reference="SJ-20261122-9999", secret_hash="f" * 64, submission_key="during-deploy")
    during_deploy = Report.objects.create(**row)
    assert New.objects.get(pk=during_deploy.pk).channel == "online"
    migrate()
    assert GrievanceReport.objects.get(pk=second.pk).get_channel_display() == "网上"
