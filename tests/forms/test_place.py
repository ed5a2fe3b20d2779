"""Where a problem is (or a shop stands): the community on a step of its own, then one of its
streets or buildings (or 不清楚), and the grid routed from that. Both wizards, and the amend page.

Issue 10 item 4: residents had to pick their 网格 from every grid of the district, and elderly
residents do not know their grid.
"""

import pytest
from django.test import Client

from alliance.models import Community, Grid, GridArea
from casework.models import CaseCategory, GrievanceReport
from forms import fields
from forms.models import Convention, MerchantApplication
from tests import factories as f
from tests import wizard_driver as driver
from tests.budget import rendered_queries
from tests.wizard_driver import APPLY, REPORT, UNSURE, key_of

pytestmark = pytest.mark.django_db
CODE = f.valid_credit_code()


@pytest.fixture
def places(world):
    """The world's two communities with their streets and buildings.

    东门社区: 第一网格 covers 解放路 and 幸福里 3 号楼, 第二网格 covers 幸福里 5 号楼 and also a stretch
    of 解放路 (the same name twice); 西门社区's 西一网格 covers 西门大街.
    """
    areas = {
        "jiefang_a": f.grid_area(world["grid_a"], name="解放路", kind="street"),
        "building_3": f.grid_area(world["grid_a"], name="幸福里 3 号楼"),
        "building_5": f.grid_area(world["grid_b"], name="幸福里 5 号楼"),
        "jiefang_b": f.grid_area(world["grid_b"], name="解放路", kind="street"),
        "ximen": f.grid_area(world["grid_y"], name="西门大街", kind="street"),
    }
    return {**world, **areas}


def to_location(client, community, category="noise"):
    """Category and community posted: returns (key, the location step as shown)."""
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.get(slug=category).pk}, key)
    return key, driver.post_step(client, REPORT, "community", {"community": community.pk}, key)


def walk_report(client, place):
    key = key_of(client)
    steps = driver.report_steps(place, category=CaseCategory.objects.get(slug="noise"))
    review = driver.walk(client, REPORT, steps[:-1], key)
    done = driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == REPORT.thanks
    return review.content.decode(), GrievanceReport.objects.get(submission_key=key)


def test_the_driver_posts_the_forms_unsure_choice():
    assert driver.UNSURE == fields.UNSURE


# --- The community step ------------------------------------------------------------------------


def test_the_community_is_a_question_of_its_own_with_big_radio_targets(client, places):
    key = key_of(client)
    category = CaseCategory.objects.get(slug="noise")
    page = driver.post_step(client, REPORT, "category", {"category": category.pk}, key).content.decode()
    assert "第 2 步，共 6 步" in page and "<strong>在哪个社区</strong>" in page
    assert 'type="radio" name="community-community"' in page
    assert '<label for="id_community-community_0">东门社区</label>' in page and "西门社区" in page
    assert "网格" not in page.split('<form method="post"', 1)[1].split("</form>", 1)[0]  # nobody picks a grid


def test_no_community_chosen_is_said_next_to_the_question(client, places):
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.first().pk}, key)
    page = driver.post_step(client, REPORT, "community", {}, key).content.decode()
    assert "第 2 步" in page and page.count("请选择社区。") == 2


def test_a_community_without_grids_points_to_its_phone(client, places):
    empty = f.community(name="新建社区", phone="0931-8765432")
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.first().pk}, key)
    page = driver.post_step(client, REPORT, "community", {"community": empty.pk}, key).content.decode()
    assert "第 2 步" in page
    assert "新建社区还没有划分网格，暂时不能在网上受理。请拨打新建社区电话 0931-8765432 反映。" in page


def test_at_district_scale_communities_are_grouped_by_sub_district(client, places):
    Community.objects.filter(pk=places["x"].pk).update(sub_district="和平街道")
    Community.objects.filter(pk=places["y"].pk).update(sub_district="东岗街道")
    f.grid(f.community(name="安居社区", sub_district="东岗街道"))
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.first().pk}, key)
    page = client.get(REPORT.url).content.decode()
    dongang = page.index('<fieldset class="choice-group"><legend>东岗街道</legend>')
    heping = page.index('<fieldset class="choice-group"><legend>和平街道</legend>')
    assert dongang < page.index("安居社区") < page.index("西门社区") < heping < page.index("东门社区")


# --- The location step: only the chosen community's streets and buildings ------------------------


def test_location_step_offers_only_the_chosen_communitys_streets_and_buildings(client, places):
    """Reproduces the issue: the old step listed the grids of every community."""
    _key, page = to_location(client, places["x"])
    text = page.content.decode()
    assert "第 3 步，共 6 步" in text and "<strong>具体在哪里</strong>" in text
    assert "西门大街" not in text and "西一网格" not in text and "西门社区" not in text
    streets = text.index('<optgroup label="街巷">')
    buildings = text.index('<optgroup label="楼栋">')
    assert streets < text.index("解放路（第一网格）") < text.index("解放路（第二网格）") < buildings
    assert buildings < text.index(">幸福里 3 号楼<") < text.index(">幸福里 5 号楼<")
    assert text.index(">不清楚 / 列表里没有<") > text.index(">幸福里 5 号楼<")  # the last choice
    assert "幸福里 3 号楼（" not in text  # the grid's name only where a name is shared


def case_page(client, world, report):
    client.force_login(world["mod_x"])
    return client.get(f"/admin/cases/{report.pk}/").content.decode()


def test_a_building_routes_the_report_to_the_grid_that_covers_it(client, places):
    review, report = walk_report(client, {"community": places["x"], "area": places["building_5"]})
    assert "东门社区 · 幸福里 5 号楼" in review and "解放路 18 号" in review
    assert report.grid == places["grid_b"] and report.community == places["x"]
    assert report.area == places["building_5"] and not report.place_unsure
    staff = case_page(client, places, report)
    assert "东门社区 · 第二网格" in staff and "<dd>楼栋：幸福里 5 号楼</dd>" in staff
    assert "data-place-unsure" not in staff


def test_a_street_shared_by_two_grids_routes_to_the_one_chosen(client, places):
    _review, report = walk_report(client, {"community": places["x"], "area": places["jiefang_b"]})
    assert report.grid == places["grid_b"] and report.area == places["jiefang_b"]


def test_unsure_routes_to_the_communitys_first_grid_and_says_so(client, places):
    review, report = walk_report(client, {"community": places["x"]})  # the driver posts 不清楚
    assert "东门社区 · 不清楚所在街巷或楼栋" in review
    assert report.grid == places["grid_a"] and report.area is None and report.place_unsure
    staff = case_page(client, places, report)
    assert "东门社区 · 第一网格" in staff
    assert "居民不清楚所在街巷或楼栋，已先派到本社区的第一个网格，请核实后转办" in staff


def test_a_one_grid_community_without_areas_still_routes_by_unsure(client, db):
    community = f.community(name="北关社区")
    grid = f.grid(community, name="北关网格")
    _key, page = to_location(client, community)
    assert ">不清楚 / 列表里没有<" in page.content.decode() and "optgroup" not in page.content.decode()
    _review, report = walk_report(client, {"community": community})
    assert report.grid == grid and report.place_unsure


def test_a_tampered_area_of_another_community_is_a_field_error(client, places):
    key, _page = to_location(client, places["x"])
    for value in (places["ximen"].pk, "999999", "1 OR 1=1", "\x00", "<script>"):
        page = driver.post_step(client, REPORT, "location", {"area": value, "address": "解放路 18 号"}, key)
        text = page.content.decode()
        assert page.status_code == 200 and "第 3 步" in text, value
        assert text.count("请从列表中重新选择街巷或楼栋。") == 2 and 'value="解放路 18 号"' in text, value
    assert not GrievanceReport.objects.exists()


def test_a_community_whose_grids_went_since_its_step_is_told_on_the_area(db):
    community = f.community(name="新建社区")
    form = fields.PlaceFields(data={"area": UNSURE}, community=community)
    assert form.errors["area"] == ["新建社区还没有划分网格，暂时不能在网上受理。请拨打社区服务热线反映。"]


def test_location_posted_before_any_community_is_refused(client, places):
    # The location step is not reached before the community step: the wizard refuses it plainly
    # (forms/wizard.py) and stays on the community step; nothing is stored.
    key = key_of(client)
    driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.first().pk}, key)
    page = driver.post_step(client, REPORT, "location", {"area": UNSURE, "address": "解放路 18 号"}, key)
    assert page.status_code == 400 and "第 2 步" in page.content.decode()
    assert not GrievanceReport.objects.exists()


def test_the_location_form_without_a_community_asks_for_one(db):
    form = fields.PlaceFields(data={"area": UNSURE, "address": "解放路 18 号"}, community=None)
    assert not form.is_valid() and "请先回到上一步选择社区。" in str(form.errors)


def test_changing_the_community_offers_the_new_ones_places_and_keeps_the_address(client, places):
    key, _page = to_location(client, places["x"])
    back = {"area": places["building_3"].pk, "address": "菜市场北门"}
    page = driver.post_step(client, REPORT, "location", back, key, extra={"wizard_goto_step": "community"})
    assert "第 2 步" in page.content.decode()
    page = driver.post_step(client, REPORT, "community", {"community": places["y"].pk}, key).content.decode()
    assert "第 3 步" in page and "西门大街" in page and "幸福里 3 号楼" not in page
    assert 'value="菜市场北门"' in page and "请从列表中重新选择街巷或楼栋。" in page
    driver.post_step(client, REPORT, "location", {"area": places["ximen"].pk, "address": "菜市场北门"}, key)
    steps = driver.report_steps({"community": places["y"]}, category=CaseCategory.objects.get(slug="noise"))
    driver.walk(client, REPORT, steps[3:], key)
    report = GrievanceReport.objects.get()
    assert report.community == places["y"] and report.grid == places["grid_y"] and report.area == places["ximen"]


def test_a_community_changed_behind_the_review_is_caught_on_submit(client, places):
    """The final post re-validates every step: an area no longer in the community sends the resident back."""
    key = key_of(client)
    steps = driver.report_steps(
        {"community": places["x"], "area": places["building_3"]}, category=CaseCategory.objects.get(slug="noise")
    )
    driver.walk(client, REPORT, steps[:-1], key)
    driver.post_step(client, REPORT, "community", {"community": places["y"].pk}, key)
    kept = {"area": places["building_3"].pk, "address": "解放路 18 号"}
    driver.post_step(client, REPORT, "location", kept, key, extra={"wizard_goto_step": "review"})
    page = driver.post_step(client, REPORT, "review", {"confirm": "on"}, key)
    assert page.status_code == 200 and "第 3 步" in page.content.decode()
    assert "请从列表中重新选择街巷或楼栋。" in page.content.decode() and not GrievanceReport.objects.exists()


# --- Query budget ------------------------------------------------------------------------------


def grow(communities, grids=6, areas=4):
    """More of everything: communities with grids, each grid with streets and buildings."""
    start = Community.objects.count()
    new = Community.objects.bulk_create(
        Community(name=f"扩展社区{start + i}", slug=f"grown-{start + i}", sub_district=f"街道{i % 6}")
        for i in range(communities)
    )
    made = Grid.objects.bulk_create(Grid(community=c, name=f"第{g}网格") for c in new for g in range(grids))
    GridArea.objects.bulk_create(
        GridArea(grid=g, name=f"{g.name}{a}号楼", kind="building" if a else "street", sort_order=a)
        for g in made
        for a in range(areas)
    )


BUDGET = 12


def step_queries(django_assert_max_num_queries, wizard, community):
    """Queries of the community step, then of the next step (where in it), for a new resident or shop."""
    client = Client()
    key = key_of(client, wizard)
    if wizard is REPORT:
        driver.post_step(client, REPORT, "category", {"category": CaseCategory.objects.first().pk}, key)
    at_community = rendered_queries(django_assert_max_num_queries, client, wizard.url, BUDGET)
    driver.post_step(client, wizard, "community", {"community": community.pk}, key)
    at_place = rendered_queries(django_assert_max_num_queries, client, wizard.url, BUDGET)
    return at_community, at_place


@pytest.mark.parametrize("wizard", [REPORT, APPLY], ids=["report", "apply"])
def test_the_community_and_place_steps_run_the_same_queries_at_district_scale(
    places, wizard, django_assert_max_num_queries
):
    f.convention()
    small = step_queries(django_assert_max_num_queries, wizard, places["x"])
    grow(90)
    for grid in (places["grid_a"], places["grid_b"]):  # the chosen community grows too
        for n in range(30):
            f.grid_area(grid, name=f"新楼{grid.pk}-{n}")
    large = step_queries(django_assert_max_num_queries, wizard, places["x"])
    print(f"{wizard.url} queries (community step, next step): {small} with 2 communities, {large} with 92")
    assert large == small


# --- The merchant application ------------------------------------------------------------------


def walk_apply(client, place, **options):
    convention = Convention.current() or f.convention()
    key = driver.key_of(client, APPLY)
    steps = driver.apply_steps(place, credit_code=CODE, convention=convention, **options)
    review = driver.walk(client, APPLY, steps[:-1], key)
    done = driver.post_step(client, APPLY, "review", {"confirm": "on"}, key)
    assert done.status_code == 302 and done["Location"] == APPLY.thanks
    return review.content.decode(), MerchantApplication.objects.get(submission_key=key)


def test_apply_asks_the_community_first_then_offers_only_its_streets_and_buildings(client, places):
    f.convention()
    key = driver.key_of(client, APPLY)
    first = client.get(APPLY.url).content.decode()
    assert "第 1 步，共 7 步" in first and "<strong>店铺在哪个社区</strong>" in first
    shop = driver.post_step(client, APPLY, "community", {"community": places["y"].pk}, key).content.decode()
    assert "第 2 步" in shop and "西门大街" in shop and "解放路" not in shop.split("店铺地址")[0]
    assert "幸福里" not in shop


def test_an_application_is_routed_by_its_building_and_staff_see_it(client, places, admin_client):
    review, application = walk_apply(client, {"community": places["x"], "area": places["building_5"]})
    assert "东门社区 · 幸福里 5 号楼" in review
    assert application.grid == places["grid_b"] and application.area == places["building_5"]
    assert not application.place_unsure
    detail = admin_client.get(f"/admin/applications/{application.pk}/").content.decode()
    assert "楼栋：幸福里 5 号楼" in detail and "data-place-unsure" not in detail


def test_an_unsure_applicant_is_routed_to_the_first_grid_and_flagged_for_staff(client, places, admin_client):
    _review, application = walk_apply(client, {"community": places["x"]})
    assert application.grid == places["grid_a"] and application.area is None and application.place_unsure
    detail = admin_client.get(f"/admin/applications/{application.pk}/").content.decode()
    assert "申请人不清楚店铺所在街巷或楼栋，已先归到本社区的第一个网格" in detail


# --- Amending an application, on one page without JavaScript -------------------------------------


SECRET = "amend-place-secret"


def amend_data(application, **overrides):
    return {
        "shop_name": application.shop_name,
        "category": application.category,
        "community": application.community_id,
        "address": application.address,
        "credit_code": application.credit_code,
        "contact_person": application.contact_person,
        "mobile": application.mobile,
        "opening_hours": application.opening_hours,
        **overrides,
    }


@pytest.fixture
def asked_for_more(places):
    return f.application(
        grid_=places["grid_b"], area=places["building_5"], state="more_info", link_secret=SECRET, review_note="请核对"
    )


def amend_page(client):
    """The amend form's own address: the private link lands there (its secret stays out of the address)."""
    return client.get(f"/apply/amend/{SECRET}/")["Location"]


def test_amend_shows_the_chosen_building_among_the_communitys_own(client, places, asked_for_more):
    page = client.get(amend_page(client)).content.decode()
    assert f'<option value="{places["building_5"].pk}" selected>幸福里 5 号楼</option>' in page
    assert "西门大街" not in page


def test_amend_to_another_community_offers_its_places_then_routes_by_them(client, places, asked_for_more):
    url = amend_page(client)
    moved = amend_data(asked_for_more, community=places["y"].pk, area=places["building_5"].pk)
    page = client.post(url, moved)
    text = page.content.decode()
    assert page.status_code == 200 and "西门大街" in text and "幸福里 5 号楼" not in text
    assert "请从列表中重新选择街巷或楼栋。" in text
    assert client.post(url, {**moved, "area": places["ximen"].pk}).status_code == 302
    asked_for_more.refresh_from_db()
    assert asked_for_more.community == places["y"] and asked_for_more.grid == places["grid_y"]
    assert asked_for_more.area == places["ximen"] and asked_for_more.state == MerchantApplication.State.SUBMITTED


def test_amend_with_unsure_routes_to_the_first_grid(client, places, asked_for_more):
    assert client.post(amend_page(client), amend_data(asked_for_more, area=UNSURE)).status_code == 302
    asked_for_more.refresh_from_db()
    assert asked_for_more.grid == places["grid_a"] and asked_for_more.area is None and asked_for_more.place_unsure
