"""The registry in the Wagtail admin: snippet forms, listings, filters, search, export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from alliance.models import Community, Grid, GridArea, Merchant
from tests import factories as f

pytestmark = pytest.mark.django_db

VALID = "91350100M000100Y43"
FAILS_CHECK = "91350100M000100Y44"


def snippet_url(model, view, *args):
    return reverse(model.snippet_viewset.get_url_name(view), args=args)


def merchant_form(community, **overrides):
    """POST data for the tabbed merchant form: every tab's fields under their own names."""
    data = {
        "name": "老王面馆",
        "category": "restaurant",
        "description": "",
        "photo": "",
        "community": community.pk,
        "grid": "",
        "address": "解放路 18 号",
        "opening_hours": "每天 7:00—21:00",
        "phone": "0931-8123456",
        "offers": "老人九折",
        "accepts_volunteer_points": "on",
        "credit_code": "",
        "contact_person": "王师傅",
        "mobile": "",
        "membership_status": "member",
        "member_since": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def community(db):
    return f.community(name="东门社区", slug="dongmen")


def add(client, community, **overrides):
    return client.post(snippet_url(Merchant, "add"), merchant_form(community, **overrides))


def errors(response, field):
    return response.context["form"].errors.get(field, [])


# --- The add form -----------------------------------------------------------------------


def test_add_form_has_the_field_names_the_tests_post(admin_client):
    response = admin_client.get(snippet_url(Merchant, "add"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in merchant_form(f.community()):
        assert f'name="{name}"' in html, name
    # Each tab's heading shows.
    for tab in ("店铺", "惠民", "资质与会员"):
        assert tab in html


@pytest.mark.parametrize("code", [VALID, "914403001922038216", "91330100716105852F"])
def test_valid_published_code_is_saved_unflagged(admin_client, community, code):
    response = add(admin_client, community, credit_code=code)
    assert response.status_code == 302
    merchant = Merchant.objects.get()
    assert merchant.credit_code == code
    assert merchant.credit_code_check_failed is False


@pytest.mark.parametrize("typed", ["9135 0100 M000 100Y4", "91350100M000100Y433", "913501"])
def test_wrong_length_is_refused_on_the_field_and_the_typed_value_kept(admin_client, community, typed):
    response = add(admin_client, community, credit_code=typed)
    assert response.status_code == 200
    assert not Merchant.objects.exists()
    [message] = errors(response, "credit_code")
    assert message.startswith("统一社会信用代码应为 18 位")
    html = response.content.decode()
    assert escape(message) in html
    assert f'value="{escape(typed)}"' in html
    # The rest of what was typed is kept too.
    assert 'value="老王面馆"' in html


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_the_standard_leaves_out_are_refused(admin_client, community, letter):
    response = add(admin_client, community, credit_code=f"91350100M000100{letter}43")
    assert response.status_code == 200
    assert not Merchant.objects.exists()
    assert errors(response, "credit_code") == [f"统一社会信用代码含有不允许的字符：{letter}（不使用 I、O、Z、S、V）。"]


def test_lower_case_o_is_upper_cased_then_refused(admin_client, community):
    response = add(admin_client, community, credit_code="91350100m000100o43")
    assert "不允许的字符：O" in errors(response, "credit_code")[0]


@pytest.mark.parametrize(
    "typed",
    [
        "91350100m000100y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
        " 9135-0100-M000-100Y43 ",
        "９１３５０１００ｍ０００１００ｙ４３",
    ],
)
def test_lower_case_spaces_and_full_width_are_normalised(admin_client, community, typed):
    response = add(admin_client, community, credit_code=typed)
    assert response.status_code == 302
    assert Merchant.objects.get().credit_code == VALID


def test_failing_check_character_is_saved_flagged_and_shown(admin_client, community):
    response = add(admin_client, community, credit_code=FAILS_CHECK.lower())
    assert response.status_code == 302
    merchant = Merchant.objects.get()
    assert merchant.credit_code == FAILS_CHECK
    assert merchant.credit_code_check_failed is True

    listing = admin_client.get(response["Location"])
    html = listing.content.decode()
    # The save message says so ...
    assert f"“老王面馆”的统一社会信用代码 {FAILS_CHECK} 校验位不符" in html
    # ... and so does the listing, next to the code.
    assert "data-credit-code-flag" in html
    assert "⚠ 校验位不符" in html

    edit = admin_client.get(snippet_url(Merchant, "edit", merchant.pk)).content.decode()
    assert f"统一社会信用代码 {FAILS_CHECK} 的校验位计算不符" in edit


def test_edit_form_shows_no_warning_for_a_code_that_passes(admin_client, community):
    merchant = f.merchant(community_=community, credit_code=VALID)
    edit = admin_client.get(snippet_url(Merchant, "edit", merchant.pk)).content.decode()
    assert "data-credit-code-flag" not in edit


def test_correcting_the_code_in_the_edit_form_clears_the_flag(admin_client, community):
    merchant = f.merchant(name="老王面馆", community_=community, credit_code=FAILS_CHECK)
    response = admin_client.post(
        snippet_url(Merchant, "edit", merchant.pk), merchant_form(community, credit_code=VALID)
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.credit_code_check_failed is False


def test_duplicate_code_names_the_other_merchant(admin_client, community):
    f.merchant(name="李记超市", community_=community, credit_code=VALID)
    response = add(admin_client, community, credit_code=" 91350100m000100y43")
    assert response.status_code == 200
    assert errors(response, "credit_code") == ["该统一社会信用代码已被商户“李记超市”使用，请核对营业执照。"]
    assert Merchant.objects.count() == 1


def test_editing_a_merchant_keeps_its_own_code_without_a_duplicate_error(admin_client, community):
    merchant = f.merchant(name="老王面馆", community_=community, credit_code=VALID)
    response = admin_client.post(
        snippet_url(Merchant, "edit", merchant.pk), merchant_form(community, credit_code=VALID, offers="满 50 元送货")
    )
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.offers == "满 50 元送货"


def test_blank_code_is_allowed_for_many_merchants(admin_client, community):
    assert add(admin_client, community, credit_code="").status_code == 302
    assert add(admin_client, community, name="张姐理发", credit_code="  ").status_code == 302
    assert list(Merchant.objects.values_list("credit_code", flat=True)) == [None, None]


@pytest.mark.parametrize("typed", ["+86 138-1234-5678", "１３８１２３４５６７８", "0086 13812345678", "138 1234 5678"])
def test_mobile_is_normalised(admin_client, community, typed):
    response = add(admin_client, community, mobile=typed)
    assert response.status_code == 302
    assert Merchant.objects.get().mobile == "13812345678"


def test_the_shops_public_phone_is_saved_apart_from_the_private_mobile(admin_client, community):
    response = add(admin_client, community, phone="０９３１－８１２３４５６", mobile="13812345678")
    assert response.status_code == 302
    merchant = Merchant.objects.get()
    assert (merchant.phone, merchant.mobile) == ("0931-8123456", "13812345678")


def test_a_phone_that_cannot_be_dialled_is_refused_on_its_field(admin_client, community):
    response = add(admin_client, community, phone="找老王")
    assert response.status_code == 200
    assert errors(response, "phone") == ["电话号码只能包含数字、空格、“-”、“+”和括号，例如 0931-8123456。"]
    assert not Merchant.objects.exists()


@pytest.mark.parametrize("typed", ["12345", "12812345678", "138-1234-567"])
def test_bad_mobile_is_refused_in_chinese(admin_client, community, typed):
    response = add(admin_client, community, mobile=typed)
    assert response.status_code == 200
    assert errors(response, "mobile") == ["请输入有效的 11 位手机号码，例如 13812345678。"]
    assert f'value="{escape(typed)}"' in response.content.decode()
    assert not Merchant.objects.exists()


def test_grid_from_another_community_is_refused(admin_client, community):
    elsewhere = f.grid(f.community(name="西门社区"), name="第一网格")
    response = add(admin_client, community, grid=elsewhere.pk)
    assert response.status_code == 200
    assert errors(response, "grid") == ["所选网格不属于所选社区，请重新选择。"]
    assert not Merchant.objects.exists()


def test_grid_of_the_same_community_is_accepted(admin_client, community):
    grid = f.grid(community, name="第一网格")
    assert add(admin_client, community, grid=grid.pk).status_code == 302
    assert Merchant.objects.get().grid == grid


def test_required_fields_are_reported_in_chinese(admin_client, community):
    response = add(admin_client, community, name="", address="")
    assert response.status_code == 200
    # Wagtail's own wording for required fields, in Chinese.
    assert errors(response, "name") == ["必需字段"]
    assert errors(response, "address") == ["必需字段"]
    assert not Merchant.objects.exists()


# --- The merchant listing ---------------------------------------------------------------


@pytest.fixture
def listed(community):
    other = f.community(name="西门社区", slug="ximen")
    return {
        "noodles": f.merchant(
            name="老王面馆",
            community_=community,
            credit_code=FAILS_CHECK,
            mobile="13812345678",
            contact_person="王师傅",
        ),
        "market": f.merchant(
            name="李记超市",
            community_=other,
            category=Merchant.Category.SUPERMARKET,
            credit_code=VALID,
            accepts_volunteer_points=True,
        ),
        "barber": f.merchant(
            name="<b>张姐</b>理发", community_=community, category=Merchant.Category.BARBER, status="applicant"
        ),
    }


def listing(client, **params):
    response = client.get(snippet_url(Merchant, "list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_listing_masks_mobile_escapes_names_and_flags_codes(admin_client, listed):
    html = listing(admin_client)
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "&lt;b&gt;张姐&lt;/b&gt;理发" in html
    assert "<b>张姐</b>" not in html
    assert html.count("data-credit-code-flag") == 1
    assert "申请中" in html and "联盟商户" in html


def test_listing_shows_when_each_merchant_was_updated_as_a_date_and_time(admin_client, listed):
    html = listing(admin_client)
    assert "刚刚" not in html
    updated = timezone.localtime(listed["noodles"].updated_at)
    assert f'datetime="{updated.isoformat()}"' in html
    assert updated.strftime("%Y年%-m月%-d日 %H:%M") in html


def test_listing_filters(admin_client, listed):
    html = listing(admin_client, category="supermarket")
    assert "李记超市" in html and "老王面馆" not in html
    html = listing(admin_client, community=listed["noodles"].community_id)
    assert "老王面馆" in html and "李记超市" not in html
    html = listing(admin_client, membership_status="applicant")
    assert "张姐" in html and "老王面馆" not in html
    html = listing(admin_client, credit_code_check_failed="true")
    assert "老王面馆" in html and "李记超市" not in html and "张姐" not in html
    html = listing(admin_client, accepts_volunteer_points="true")
    assert "李记超市" in html and "老王面馆" not in html


def test_listing_ignores_unknown_filter_values_and_orderings(admin_client, listed):
    for params in (
        {"category": "bogus"},
        {"community": "999999"},
        {"community": "abc"},
        {"credit_code_check_failed": "maybe"},
        {"ordering": "nonsense"},
        {"ordering": "community__name"},
        {"ordering": "-credit_code"},
        {"ordering": "-updated_at"},
        {"p": "999"},
        {"p": "abc"},
    ):
        response = admin_client.get(snippet_url(Merchant, "list"), params)
        assert response.status_code in (200, 404), params


def test_listing_search_finds_chinese_substrings_and_identifiers(admin_client, listed):
    html = listing(admin_client, q="面馆")
    assert "老王面馆" in html and "李记超市" not in html
    assert "老王面馆" in listing(admin_client, q="1381234")
    assert "李记超市" in listing(admin_client, q="M000100Y43")
    assert "老王面馆" in listing(admin_client, q="王师傅")


def test_listing_query_count_does_not_grow_with_rows(admin_client, community, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            f.merchant(name=f"商户{i}", community_=community, grid=f.grid(community), credit_code=None)

    fill(3)
    admin_client.get(snippet_url(Merchant, "list"))

    with CaptureQueriesContext(connection) as small:
        admin_client.get(snippet_url(Merchant, "list"))
    fill(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(snippet_url(Merchant, "list"))


# --- Export -----------------------------------------------------------------------------


def test_csv_export_has_chinese_headings_full_mobile_and_no_formulas(admin_client, listed):
    f.merchant(name='=HYPERLINK("http://x")', community_=listed["noodles"].community)
    response = admin_client.get(snippet_url(Merchant, "list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:4] == ["店名", "类别", "地址", "所属社区"]
    noodles = next(r for r in rows if r["店名"] == "老王面馆")
    assert noodles["联系手机"] == "13812345678"
    assert noodles["联系人"] == "王师傅"
    assert noodles["店铺电话"] == ""  # public, exported beside the private mobile
    assert noodles["信用代码校验位不符"] == "是"
    assert noodles["接受志愿者积分"] == "否"
    assert noodles["所属网格"] == ""
    assert noodles["类别"] == "餐饮"
    assert noodles["会员状态"] == "联盟商户"
    assert any(r["店名"] == '\'=HYPERLINK("http://x")' for r in rows)


def test_read_only_staff_get_the_export_with_mobiles_masked(client, listed):
    client.force_login(f.editor())
    response = client.get(snippet_url(Merchant, "list"), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    noodles = next(r for r in csv.DictReader(io.StringIO(text)) if r["店名"] == "老王面馆")
    assert noodles["联系手机"] == "138****5678"
    assert "13812345678" not in text


def test_export_follows_the_filters(admin_client, listed):
    response = admin_client.get(snippet_url(Merchant, "list"), {"export": "csv", "category": "supermarket"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["店名"] for r in rows] == ["李记超市"]


def test_xlsx_export(admin_client, listed):
    grid = f.grid(listed["noodles"].community, name="第一网格")
    listed["noodles"].grid = grid
    listed["noodles"].save()
    response = admin_client.get(snippet_url(Merchant, "list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shangju-merchants.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    headings = rows[0]
    noodles = dict(zip(headings, next(r for r in rows if r[0] == "老王面馆"), strict=True))
    assert noodles["所属网格"] == "第一网格"
    assert noodles["联系手机"] == "13812345678"
    assert noodles["信用代码校验位不符"] == "是"


# --- Communities and grids --------------------------------------------------------------


def test_menu_groups_the_registry(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar is built in the browser from JSON, where Chinese is \u-escaped.
    assert "联盟名录".encode("unicode_escape").decode() in html
    assert snippet_url(Merchant, "list") in html


def test_community_listing_counts_grids_and_members(admin_client, community):
    f.grid(community)
    f.grid(community)
    f.merchant(community_=community)
    f.merchant(community_=community, status="applicant")
    response = admin_client.get(snippet_url(Community, "list"))
    assert response.status_code == 200
    [row] = response.context["object_list"]
    assert (row.grid_count, row.member_count) == (2, 1)
    assert "东门社区" in listing_text(admin_client, Community, q="东门")
    assert "东门社区" in listing_text(admin_client, Community, ordering="-member_count")


def listing_text(client, model, **params):
    response = client.get(snippet_url(model, "list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_grid_listing_searches_the_streets_and_buildings_it_covers(admin_client, community, django_user_model):
    worker = django_user_model.objects.create_user("wang", first_name="网格员小王")
    grid = f.grid(community, name="第一网格")
    grid.workers.add(worker)
    GridArea.objects.create(grid=grid, kind="building", name="幸福里 3 号楼", chief="赵阿姨")
    f.grid(community, name="第二网格")
    html = listing_text(admin_client, Grid, q="幸福里")
    assert "第一网格" in html and "第二网格" not in html
    assert "网格员小王" in html
    assert "第一网格" in listing_text(admin_client, Grid, q="赵阿姨")
    assert "第二网格" in listing_text(admin_client, Grid, community=community.pk)


def test_grid_add_form_refuses_a_duplicate_name_in_chinese(admin_client, community):
    f.grid(community, name="第一网格")
    data = {
        "community": community.pk,
        "name": "第一网格",
        "code": "",
        "areas-TOTAL_FORMS": "0",
        "areas-INITIAL_FORMS": "0",
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(snippet_url(Grid, "add"), data)
    assert response.status_code == 200
    assert "这个社区已有同名网格，请换一个名称。" in response.content.decode()
    assert Grid.objects.count() == 1


def test_grid_add_form_saves_areas(admin_client, community):
    data = {
        "community": community.pk,
        "name": "第三网格",
        "code": "DM-03",
        "areas-TOTAL_FORMS": "1",
        "areas-INITIAL_FORMS": "0",
        "areas-MIN_NUM_FORMS": "0",
        "areas-MAX_NUM_FORMS": "1000",
        "areas-0-kind": "street",
        "areas-0-name": "解放路东段",
        "areas-0-chief": "钱大爷",
        "areas-0-ORDER": "1",
        "areas-0-id": "",
        "areas-0-DELETE": "",
    }
    response = admin_client.post(snippet_url(Grid, "add"), data)
    assert response.status_code == 302
    grid = Grid.objects.get()
    assert [a.name for a in grid.areas.all()] == ["解放路东段"]


def test_choosers_search_chinese_substrings(admin_client, community):
    f.merchant(name="老王面馆", community_=community)
    f.merchant(name="李记超市", community_=community)
    f.grid(community, name="第一网格")
    html = admin_client.get(reverse("wagtailsnippetchoosers_alliance_merchant:choose_results"), {"q": "面馆"}).content
    assert "老王面馆" in html.decode() and "李记超市" not in html.decode()
    html = admin_client.get(reverse("wagtailsnippetchoosers_alliance_grid:choose_results"), {"q": "东门"}).content
    assert "东门社区 · 第一网格" in html.decode()


def test_deleting_a_community_that_has_merchants_is_refused_not_a_crash(admin_client, community):
    f.merchant(community_=community)
    url = snippet_url(Community, "delete", community.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url)
    # Wagtail refuses (PermissionDenied shown as a redirect with a message) because the
    # reference index knows the merchants; on_delete=PROTECT is the backstop.
    assert response.status_code in (302, 403)
    assert Community.objects.filter(pk=community.pk).exists()


def test_deleting_a_merchant_named_on_an_honour_roll_is_refused_not_a_crash(admin_client, community, home):
    merchant = f.merchant(community_=community)
    f.honour_roll(honours=[(merchant, "red_flag", "")])
    response = admin_client.post(snippet_url(Merchant, "delete", merchant.pk))
    assert response.status_code in (302, 403)
    assert Merchant.objects.filter(pk=merchant.pk).exists()
