"""One small world per test (places, a convention, published pages), built once and shared by
every hypothesis example of that test, so examples cost a form validation or a request only."""

import pytest

from tests import factories as f

from .checks import make_questionnaire


@pytest.fixture
def places(db):
    """What the forms refer to: two communities with a grid and a street or building each, a
    convention, a member shop and an application waiting for more information."""
    community = f.community(name="东门社区", slug="dongmen")
    grid = f.grid(community, name="第一网格")
    other = f.community(name="西门社区", slug="ximen")
    other_grid = f.grid(other, name="第二网格")
    convention = f.convention()
    return {
        "community": community,
        "grid": grid,
        "area": f.grid_area(grid, name="幸福里 3 号楼"),
        "other": other,
        "other_grid": other_grid,
        "other_area": f.grid_area(other_grid, name="西门大街", kind="street"),
        "convention": convention,
        "member": f.merchant(name="老王面馆", community_=community),
        "application": f.application(grid_=grid, state="more_info", link_secret="amend-secret"),
    }


@pytest.fixture
def world(places, home):
    """places plus one published page of each public kind and a questionnaire."""
    member = places["member"]
    return {
        **places,
        "news": f.news(title="解放路集市开张", tags=["集市"], community=places["community"]),
        "notice": f.notice(title="每月18日便民集市"),
        "roll": f.honour_roll(honours=[(member, "civilised", "诚信经营")]),
        "questionnaire": make_questionnaire(home),
    }
