"""Fixtures of the intake tests (reports, applications, questionnaires)."""

import pytest

from tests import factories as f


@pytest.fixture
def place(db):
    """Where a resident or shop is: 东门社区 and its 第一网格."""
    community = f.community(name="东门社区", slug="dongmen")
    return {"community": community, "grid": f.grid(community, name="第一网格")}
