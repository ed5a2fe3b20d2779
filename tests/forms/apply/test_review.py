"""Reviewing merchant applications in the admin, and the applicant's status and amend pages."""

import io
import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alliance.models import Merchant
from forms.models import ApplicationEvent, MerchantApplication
from tests import factories as f
from tests.budget import rendered_queries
from tests.wizard_driver import UNSURE

pytestmark = pytest.mark.django_db
SECRET = "s3cret-link-for-tests"


@pytest.fixture
def community():
    return f.community(name="东门社区", slug="dongmen")


@pytest.fixture
def application(community):
    return f.application(community_=community, link_secret=SECRET, shop_name="老王面馆")


@pytest.fixture
def moderator_client(client, community):
    """东门社区's moderator (审核 and the community's Community.moderators): reviews its applications."""
    client.force_login(f.community_moderator(community))
    return client


def act(client, application, action, note=""):
    return client.post(f"/admin/applications/{application.pk}/{action}/", {"note": note})


def test_list_shows_applications_with_filters_and_search(moderator_client, application):
    other = f.application(shop_name="张记理发", state=MerchantApplication.State.REJECTED)
    other.community.moderators.add(*application.community.moderators.all())  # moderates both
    text = moderator_client.get("/admin/applications/").content.decode()
    assert "老王面馆" in text and "张记理发" in text
    text = moderator_client.get("/admin/applications/?state=submitted").content.decode()
    assert "老王面馆" in text and "张记理发" not in text
    text = moderator_client.get(f"/admin/applications/?community={other.community_id}").content.decode()
    assert "老王面馆" not in text and "张记理发" in text
    text = moderator_client.get("/admin/applications/?q=面馆").content.decode()
    assert "老王面馆" in text and "张记理发" not in text


def test_detail_shows_fields_and_photo(moderator_client, application):
    text = moderator_client.get(f"/admin/applications/{application.pk}/").content.decode()
    photo = application.photos.get()
    assert "老王面馆" in text and application.credit_code in text and f"/admin/applications/photo/{photo.pk}/" in text


def test_review_decisions_are_buttons_each_opening_its_own_form_approve_first(moderator_client, application):
    soup = BeautifulSoup(moderator_client.get(f"/admin/applications/{application.pk}/").content, "html.parser")
    decisions = soup.select("section.admin-actions details.admin-action")
    assert [d.summary.get_text(strip=True) for d in decisions] == ["通过，成为联盟商户", "请申请人补充材料", "不通过"]
    assert "admin-action--primary" in decisions[0]["class"]
    assert [d.select_one("form button[type=submit]").get_text(strip=True) for d in decisions][0] == "确认通过"
    assert not any(d.has_attr("open") for d in decisions)
    assert decisions[1].select_one("textarea[name=note]") is not None


def test_approve_makes_a_member_listed_in_the_directory_at_once(moderator_client, application, client):
    response = act(moderator_client, application, "approve")
    assert response.status_code == 302
    application.refresh_from_db()
    merchant = application.merchant
    assert application.state == MerchantApplication.State.APPROVED
    approval = application.events.get(action=ApplicationEvent.Action.APPROVE)
    assert approval.actor is not None and (approval.from_state, approval.to_state) == ("submitted", "approved")
    assert merchant.is_member and merchant.credit_code == application.credit_code
    assert merchant.member_since is not None and merchant.photo is not None
    assert merchant.offers == "每月 18 日全场九折" and merchant.grid == application.grid
    # The shop's public phone goes to its page; the applicant's mobile stays with the office.
    assert (merchant.phone, merchant.mobile) == ("0931-8123456", "13900001111")
    client.logout()
    directory = client.get("/merchants/").content.decode()
    assert "老王面馆" in directory
    page = client.get(f"/merchants/{merchant.pk}/").content.decode()
    assert 'href="tel:09318123456"' in page and "13900001111" not in page


def test_approve_updates_the_merchant_with_the_same_credit_code(moderator_client, community):
    existing = f.merchant(
        name="旧店名", community_=community, status=Merchant.Status.WITHDRAWN, credit_code=f.valid_credit_code()
    )
    application = f.application(community_=community, shop_name="新店名")
    act(moderator_client, application, "approve")
    existing.refresh_from_db()
    assert Merchant.objects.count() == 1
    assert existing.name == "新店名" and existing.is_member and existing.photo is not None


def test_detail_warns_when_the_code_is_already_a_member(moderator_client, community):
    f.merchant(name="老张超市", community_=community, credit_code=f.valid_credit_code())
    application = f.application(community_=community)
    text = moderator_client.get(f"/admin/applications/{application.pk}/").content.decode()
    assert "该统一社会信用代码已是联盟商户“老张超市”" in text


def test_approving_twice_is_refused_with_a_message(moderator_client, application):
    act(moderator_client, application, "approve")
    response = act(moderator_client, application, "reject", "重复")
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.APPROVED
    text = moderator_client.get(response["Location"]).content.decode()
    assert "不能再执行这个操作" in text


def test_more_info_needs_a_note(moderator_client, application):
    response = act(moderator_client, application, "more_info", "  ")
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.SUBMITTED
    page = moderator_client.get(response["Location"]).content.decode()
    assert "请写明需要补充的材料" in page
    assert BeautifulSoup(page, "html.parser").select_one("details#action-more_info").has_attr("open")


def test_more_info_then_amend_link_then_resubmit(moderator_client, application, client):
    act(moderator_client, application, "more_info", "请补充营业执照照片")
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.MORE_INFO
    client.logout()
    landing = client.get(f"/apply/status/{SECRET}/")
    status_url = f"/apply/application/{application.reference}/"
    assert landing.status_code == 302 and landing["Location"] == status_url
    status = client.get(status_url).content.decode()
    assert "待补充材料" in status and "请补充营业执照照片" in status and f"{status_url}amend/" in status
    assert SECRET not in status
    form = client.get(f"/apply/amend/{SECRET}/", follow=True)
    assert 'value="老王面馆"' in form.content.decode()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    data = {
        "shop_name": "老王面馆（解放路店）",
        "category": "restaurant",
        "address": application.address,
        "community": application.community_id,
        "area": UNSURE,
        "credit_code": application.credit_code,
        "contact_person": "李建国",
        "mobile": "13900001111",
        "opening_hours": "每天 7:00—21:00",
        "licence": SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png"),
    }
    response = client.post(f"{status_url}amend/", data)
    assert response.status_code == 302 and response["Location"] == status_url
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.SUBMITTED
    assert application.shop_name == "老王面馆（解放路店）"
    assert sorted(application.photos.values_list("kind", flat=True)) == ["licence", "shop_front"]
    # Once resubmitted the amend link no longer edits anything.
    assert client.get(f"{status_url}amend/")["Location"] == status_url


def test_review_page_shows_the_whole_history(moderator_client, application, client):
    """Who decided what and when stays on record: a second decision no longer overwrites the first."""
    act(moderator_client, application, "more_info", "请补充营业执照照片")
    client.post(
        f"/apply/amend/{SECRET}/",  # a page opened before the links moved: 307 keeps the form
        follow=True,
        data={
            "shop_name": "老王面馆",
            "category": "restaurant",
            "address": application.address,
            "community": application.community_id,
            "area": UNSURE,
            "credit_code": application.credit_code,
            "contact_person": "李建国",
            "mobile": "13900001111",
            "opening_hours": "每天 7:00—21:00",
        },
    )
    act(moderator_client, application, "approve")
    history = [(e.action, e.from_state, e.to_state, e.actor_id is not None, e.note) for e in application.events.all()]
    assert history == [
        ("submit", "", "submitted", False, ""),
        ("more_info", "submitted", "more_info", True, "请补充营业执照照片"),
        ("resubmit", "more_info", "submitted", False, ""),
        ("approve", "submitted", "approved", True, ""),
    ]
    text = moderator_client.get(f"/admin/applications/{application.pk}/").content.decode()
    assert "审核记录" in text and "请补充营业执照照片" in text and "补充后重新提交" in text
    assert "待补充材料 → 待审核" in text and "申请人" in text


def test_amend_errors_are_shown_and_nothing_changes(moderator_client, application, client):
    act(moderator_client, application, "more_info", "请核对地址")
    client.logout()
    response = client.post(f"/apply/amend/{SECRET}/", {"shop_name": "", "mobile": "123"}, follow=True)
    text = response.content.decode()
    assert "请填写店名。" in text and "请输入有效的 11 位手机号码" in text
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.MORE_INFO and application.shop_name == "老王面馆"


def test_reject_with_reason_shown_on_the_status_page(moderator_client, application, client):
    act(moderator_client, application, "reject", "经营范围不在本社区")
    client.logout()
    text = client.get(f"/apply/status/{SECRET}/", follow=True).content.decode()
    assert "未通过" in text and "经营范围不在本社区" in text
    assert client.get(f"/apply/amend/{SECRET}/").status_code == 302


def test_status_page_with_a_wrong_secret_is_404(client, application):
    assert client.get("/apply/status/not-the-secret/").status_code == 404
    assert client.get("/apply/amend/not-the-secret/").status_code == 404


def test_the_status_page_needs_the_link_and_keeps_no_secret(client, application):
    """Its address carries the reference, which is no credential: without the link, nothing."""
    status_url = f"/apply/application/{application.reference}/"
    assert client.get(status_url).status_code == 404
    assert client.get(f"{status_url}amend/").status_code == 404
    client.get(f"/apply/status/{SECRET}/")
    assert client.get(status_url).status_code == 200
    kept = json.dumps(dict(client.session.items()), default=str)
    assert SECRET not in kept and application.secret_hash not in kept


def test_community_moderator_reviews_only_their_community(client, application):
    secretary = get_user_model().objects.create_user("secretary", password="x", is_staff=True)
    secretary.groups.add(Group.objects.get(name="网格员"))  # admin access only
    application.community.moderators.add(secretary)
    elsewhere = f.application(shop_name="别处小店")
    client.force_login(secretary)
    text = client.get("/admin/applications/").content.decode()
    assert "老王面馆" in text and "别处小店" not in text
    act(client, elsewhere, "approve")
    elsewhere.refresh_from_db()
    assert elsewhere.state == MerchantApplication.State.SUBMITTED
    act(client, application, "approve")
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.APPROVED


def test_a_reviewer_of_one_community_gets_nothing_of_anothers_applications(client, application):
    """Being in 审核 is not a pass to every community's applicants: 东门社区's moderator neither
    lists, opens, decides nor sees the photo of 西关社区's application (404, as for cases)."""
    reviewer = f.community_moderator(application.community, username="dongmen_shenhe")
    elsewhere = f.application(community_=f.community(name="西关社区"), shop_name="西关别处小店")
    client.force_login(reviewer)
    text = client.get("/admin/applications/").content.decode()
    assert "老王面馆" in text and "西关别处小店" not in text
    assert "西关别处小店" not in client.get("/admin/applications/?q=西关").content.decode()
    assert client.get(f"/admin/applications/{elsewhere.pk}/").status_code == 404
    events = elsewhere.events.count()
    for action in ("approve", "more_info", "reject"):
        assert act(client, elsewhere, action, "不在本社区").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == MerchantApplication.State.SUBMITTED and elsewhere.events.count() == events
    assert client.get(f"/admin/applications/photo/{elsewhere.photos.get().pk}/").status_code == 404
    assert client.get(f"/admin/applications/{application.pk}/").status_code == 200


def test_a_reviewer_of_no_community_has_no_applications_to_review(client, application):
    client.force_login(f.moderator())  # 审核, publishing pages, but moderating no community
    assert client.get("/admin/applications/")["Location"] == "/admin/"
    assert client.get(f"/admin/applications/{application.pk}/").status_code == 302
    assert client.get(f"/admin/applications/photo/{application.photos.get().pk}/").status_code == 404


@pytest.mark.parametrize("role", ["editor", "grid_worker"])
def test_editor_and_grid_worker_cannot_review(client, application, role):
    if role == "editor":
        user = f.editor()
    else:
        user = f.staff_user("网格员")
        application.grid.workers.add(user)
    client.force_login(user)
    assert client.get("/admin/applications/")["Location"] == "/admin/"
    assert client.get(f"/admin/applications/{application.pk}/").status_code == 302
    act(client, application, "approve")
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.SUBMITTED and not Merchant.objects.exists()
    photo = application.photos.get()
    assert client.get(f"/admin/applications/photo/{photo.pk}/").status_code == 404


def test_anonymous_is_sent_to_login(client, application):
    photo = application.photos.get()
    for url in (
        "/admin/applications/",
        f"/admin/applications/{application.pk}/",
        f"/admin/applications/photo/{photo.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = act(client, application, "approve")
    assert "/admin/login/" in response["Location"]
    application.refresh_from_db()
    assert application.state == MerchantApplication.State.SUBMITTED


def test_private_photo_is_served_with_safety_headers(moderator_client, application):
    photo = application.photos.get()
    response = moderator_client.get(f"/admin/applications/photo/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The same strict policy as case photos: nothing in the file may load or run anything.
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_convention_is_a_snippet_staff_edit(admin_client, db):
    convention = f.convention(version="2026 年版")
    text = admin_client.get("/admin/snippets/intake/convention/").content.decode()
    assert "2026 年版" in text
    assert admin_client.get(f"/admin/snippets/intake/convention/edit/{convention.pk}/").status_code == 200


def test_detail_lists_other_applications_with_the_same_code(moderator_client, application):
    earlier = f.application(community_=application.community, state=MerchantApplication.State.REJECTED)
    text = moderator_client.get(f"/admin/applications/{application.pk}/").content.decode()
    assert earlier.reference in text and "同一统一社会信用代码的其他申请" in text


def test_list_query_count_does_not_grow_with_applications(moderator_client, community, django_assert_max_num_queries):
    f.application(community_=community)
    few = rendered_queries(django_assert_max_num_queries, moderator_client, "/admin/applications/", 40)
    for _ in range(5):
        f.application(community_=community)
    many = rendered_queries(django_assert_max_num_queries, moderator_client, "/admin/applications/", 40)
    assert many == few
