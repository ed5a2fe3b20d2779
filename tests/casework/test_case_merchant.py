"""Staff say which shop a case is about on the case page (for the quarter's evaluation): the
community moderator or the case's own worker, a shop of the case's community only, recorded as an
internal case event; clearing it is recorded too."""

import pytest
from django.test import Client

from casework.models import CaseEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scene(db):
    community_ = f.community(name="幸福里社区")
    grid_ = f.grid(community_)
    worker, colleague = f.grid_worker(grid_), f.grid_worker(grid_)
    report = f.assigned_case(grid_, worker, state="in_progress")
    return {
        "report": report,
        "shop": f.merchant(name="老王烧烤", community_=community_),
        "elsewhere": f.merchant(name="外区烧烤"),
        "moderator": f.community_moderator(community_),
        "worker": worker,
        "colleague": colleague,
    }


def link(client, report, value):
    return client.post(f"/admin/cases/{report.pk}/merchant/", {"merchant": value}, follow=True)


def test_the_moderator_links_the_shop_and_it_is_recorded(scene):
    client = logged_in(scene["moderator"])
    page = client.get(f"/admin/cases/{scene['report'].pk}/").content.decode()
    assert "这件诉求涉及的商户" in page and "老王烧烤" in page and "外区烧烤" not in page
    response = link(client, scene["report"], scene["shop"].pk)
    assert "关联商户：老王烧烤" in response.content.decode()
    scene["report"].refresh_from_db()
    assert scene["report"].merchant == scene["shop"]
    event = CaseEvent.objects.get(report=scene["report"], action=CaseEvent.Action.LINK_MERCHANT)
    assert (event.actor, event.public) == (scene["moderator"], False)
    # Cleared: recorded with the shop it was.
    response = link(client, scene["report"], "")
    assert "取消关联商户：老王烧烤" in response.content.decode()
    scene["report"].refresh_from_db()
    assert scene["report"].merchant is None


def test_the_assigned_worker_may_link_but_a_colleague_may_not(scene):
    link(logged_in(scene["worker"]), scene["report"], scene["shop"].pk)
    scene["report"].refresh_from_db()
    assert scene["report"].merchant == scene["shop"]
    colleague = logged_in(scene["colleague"])
    assert "这件诉求涉及的商户" not in colleague.get(f"/admin/cases/{scene['report'].pk}/").content.decode()
    response = link(colleague, scene["report"], "")
    assert "只有社区审核人员和承办网格员可以关联商户" in response.content.decode()
    scene["report"].refresh_from_db()
    assert scene["report"].merchant == scene["shop"]


@pytest.mark.parametrize("value", ["elsewhere", "999999", "x"])
def test_only_a_shop_of_the_cases_community(scene, value):
    value = scene["elsewhere"].pk if value == "elsewhere" else value
    response = link(logged_in(scene["moderator"]), scene["report"], value)
    assert "请选择本社区的商户。" in response.content.decode()
    scene["report"].refresh_from_db()
    assert scene["report"].merchant is None
    assert not CaseEvent.objects.filter(action=CaseEvent.Action.LINK_MERCHANT).exists()


def test_someone_who_cannot_see_the_case_gets_404(scene):
    other = f.grid_worker(f.grid())
    assert logged_in(other).post(f"/admin/cases/{scene['report'].pk}/merchant/", {"merchant": ""}).status_code == 404
