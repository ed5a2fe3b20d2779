"""One seeded world for the authorisation matrix, built once per module and rolled back after.

Two communities: X (grids A and B) and Y (grid Y1). The roles under test are anonymous, an
editor (编辑), a moderator (审核 group and X's Community.moderators), the worker of grid A and the
worker of grid B; a superuser is the positive control that proves each probed URL really works."""

import pytest
from django.db import transaction

from .matrix import COUNTS
from .seed import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    if COUNTS:
        patterns = {key for key, _method, _role in COUNTS}
        cells = len(COUNTS)
        terminalreporter.write_line(
            f"authz matrix: {len(patterns)} probed patterns, {cells} pattern×method×role cells, "
            f"{sum(COUNTS.values())} requests"
        )
