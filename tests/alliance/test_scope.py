"""Issue 10, item 21: a 审核 member keeps the registry of the communities they hold, and no other.

A grid's community decides whose inbox its future cases reach, a merchant's who reviews, settles
and scores it. Moving either across communities the user does not hold, or editing the record of
another community (its streets and buildings route cases too), is refused on the server.
"""

import pytest
from django.urls import reverse

from alliance.models import Community, Grid, Merchant
from tests import factories as f

pytestmark = pytest.mark.django_db

NOT_HELD = "不是您负责的社区"
ONLY_HELD = "只能选择您负责的社区及其网格"


def url(model, view, *args):
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


@pytest.fixture
def registry(world):
    """The standard world, a third community Z also held by mod_x, and a merchant in each of X and Y."""
    z = f.community(name="南门社区", slug="nanmen")
    z.moderators.add(world["mod_x"])
    grid_z = f.grid(z, name="南一网格")
    return {
        **world,
        "z": z,
        "grid_z": grid_z,
        "shop_x": f.merchant("东门面馆", community_=world["x"], grid=world["grid_a"]),
        "shop_y": f.merchant("西门粮油", community_=world["y"], grid=world["grid_y"]),
    }


def grid_data(grid, **changes):
    data = {
        "community": grid.community_id,
        "name": grid.name,
        "code": grid.code,
        "areas-TOTAL_FORMS": "0",
        "areas-INITIAL_FORMS": "0",
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def merchant_data(merchant, **changes):
    data = {
        "name": merchant.name,
        "category": merchant.category,
        "description": "",
        "photo": "",
        "community": merchant.community_id,
        "grid": merchant.grid_id or "",
        "address": merchant.address,
        "opening_hours": "",
        "offers": "",
        "credit_code": "",
        "contact_person": "",
        "mobile": "",
        "membership_status": merchant.membership_status,
        "member_since": "2026-03-01",
    }
    data.update(changes)
    return data


def post(client, model, obj, data):
    return client.post(url(model, "edit", obj.pk), data)


def test_moderator_cannot_pull_another_communitys_grid_into_their_own(client, registry):
    client.force_login(registry["mod_x"])
    grid_y = registry["grid_y"]
    response = post(client, Grid, grid_y, grid_data(grid_y, community=registry["x"].pk))
    assert response.status_code == 200
    assert NOT_HELD in response.content.decode()
    grid_y.refresh_from_db()
    assert grid_y.community == registry["y"]
    # Nor rename it, or change the streets and buildings that route its cases.
    response = post(client, Grid, grid_y, grid_data(grid_y, name="被改名的网格"))
    assert NOT_HELD in response.content.decode()
    assert Grid.objects.get(pk=grid_y.pk).name == "西一网格"


def test_moderator_cannot_push_their_grid_into_a_community_they_do_not_hold(client, registry):
    client.force_login(registry["mod_x"])
    grid_a = registry["grid_a"]
    response = post(client, Grid, grid_a, grid_data(grid_a, community=registry["y"].pk))
    assert response.status_code == 200
    assert Grid.objects.get(pk=grid_a.pk).community == registry["x"]


def test_the_community_field_lists_only_held_communities(client, registry):
    client.force_login(registry["mod_x"])
    form = client.get(url(Grid, "edit", registry["grid_a"].pk)).context["form"]
    assert set(form.fields["community"].queryset) == {registry["x"], registry["z"]}
    form = client.get(url(Grid, "add")).context["form"]
    assert set(form.fields["community"].queryset) == {registry["x"], registry["z"]}
    html = client.get(url(Grid, "add")).content.decode()
    assert "东门社区" in html and "南门社区" in html and "西门社区" not in html


def test_moving_a_grid_between_two_held_communities_works(client, registry):
    client.force_login(registry["mod_x"])
    grid_b = registry["grid_b"]
    response = post(client, Grid, grid_b, grid_data(grid_b, community=registry["z"].pk))
    assert response.status_code == 302
    assert Grid.objects.get(pk=grid_b.pk).community == registry["z"]


def test_a_new_grid_goes_only_into_a_held_community(client, registry):
    client.force_login(registry["mod_x"])
    data = grid_data(Grid(name="新网格", code="", community=registry["y"]))
    response = client.post(url(Grid, "add"), data)
    assert response.status_code == 200
    assert not Grid.objects.filter(name="新网格").exists()
    data["community"] = registry["x"].pk
    assert client.post(url(Grid, "add"), data).status_code == 302
    assert Grid.objects.get(name="新网格").community == registry["x"]


def test_superuser_moves_grids_anywhere(client, registry, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.cn", "x"))
    grid_y = registry["grid_y"]
    assert post(client, Grid, grid_y, grid_data(grid_y, community=registry["x"].pk)).status_code == 302
    assert Grid.objects.get(pk=grid_y.pk).community == registry["x"]


def test_merchants_stay_in_held_communities_too(client, registry):
    client.force_login(registry["mod_x"])
    shop_y, shop_x = registry["shop_y"], registry["shop_x"]
    # Another community's shop: not pulled over, not edited.
    response = post(client, Merchant, shop_y, merchant_data(shop_y, community=registry["x"].pk, grid=""))
    assert NOT_HELD in response.content.decode()
    assert Merchant.objects.get(pk=shop_y.pk).community == registry["y"]
    # Their own shop: not pushed into another community or another community's grid.
    post(client, Merchant, shop_x, merchant_data(shop_x, community=registry["y"].pk, grid=registry["grid_y"].pk))
    assert Merchant.objects.get(pk=shop_x.pk).community == registry["x"]
    form = client.get(url(Merchant, "edit", shop_x.pk)).context["form"]
    assert set(form.fields["grid"].queryset) == {registry["grid_a"], registry["grid_b"], registry["grid_z"]}
    # Within what they hold, it works.
    response = post(
        client, Merchant, shop_x, merchant_data(shop_x, community=registry["z"].pk, grid=registry["grid_z"].pk)
    )
    assert response.status_code == 302
    assert Merchant.objects.get(pk=shop_x.pk).grid == registry["grid_z"]


def test_another_communitys_details_are_not_theirs_to_change(client, registry):
    client.force_login(registry["mod_x"])
    y = registry["y"]
    data = {"name": "西门社区（改）", "slug": y.slug, "sub_district": "", "address": "", "phone": "", "households": ""}
    response = post(client, Community, y, data)
    assert NOT_HELD in response.content.decode()
    assert Community.objects.get(pk=y.pk).name == "西门社区"
    x = registry["x"]
    data.update(name="东门社区", slug=x.slug, phone="0571-88886666")
    assert post(client, Community, x, data).status_code == 302
    assert Community.objects.get(pk=x.pk).phone == "0571-88886666"
