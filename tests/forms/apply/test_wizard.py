"""The merchant application wizard at /apply/ as a shopkeeper walks it."""

import re

import pytest
from django.test import Client

from alliance.models import Merchant
from forms.apply.submission import submit_application
from forms.models import ApplicationEvent, ApplicationPhoto, MerchantApplication
from tests import factories as f
from tests import wizard_driver as driver
from tests.threads import run_in_threads
from tests.wizard_driver import APPLY

pytestmark = pytest.mark.django_db
PREFIX = APPLY.prefix
CODE = f.valid_credit_code()
TYPED_CODE = CODE.lower()[:9] + " " + CODE.lower()[9:]  # as a shopkeeper types it: lower case, a space


def key_of(client, place=None):
    """The wizard's submission key; with a place, its community step posted (the shop step is next)."""
    key = driver.key_of(client, APPLY)
    if place is not None:
        post(client, "community", {"community": place["community"].pk}, key)
    return key


def post(client, step, data, key, photos=None):
    return driver.post_step(client, APPLY, step, data, key, photos)


def shop_data(place, **overrides):
    return {**driver.apply_steps(place, credit_code=TYPED_CODE, convention=None)[1].fields, **overrides}


def walk_to_convention(client, place, key, shop=None):
    return driver.walk_apply(client, place, key, credit_code=TYPED_CODE, convention=None, shop=shop, upto="convention")


def walk(client, place, key, shop=None):
    walk_to_convention(client, place, key, shop)
    convention = client.get("/apply/").context["convention"]
    post(client, "convention", {"convention": convention.pk, "agree": "on", "signed_name": "王建国"}, key)
    return post(client, "review", {"confirm": "on"}, key)


def test_first_step_asks_for_the_community_then_the_shop(client, place):
    text = client.get("/apply/").content.decode()
    assert "第 1 步，共 7 步" in text and "店铺在哪个社区" in text and "东门社区" in text
    key = driver.key_of(client, APPLY)
    text = post(client, "community", {"community": place["community"].pk}, key).content.decode()
    assert "第 2 步，共 7 步" in text and "中医诊所" in text and "统一社会信用代码" in text


def test_without_a_published_convention_the_wizard_says_so(client, db):
    response = client.get("/apply/")
    assert response.status_code == 503 and "暂时无法在线申请" in response.content.decode()


def test_full_walk_creates_one_application_with_photos_and_reference(client, place):
    key = key_of(client)
    response = walk(client, place, key)
    assert response.status_code == 302 and response["Location"] == "/apply/thanks/"
    application = MerchantApplication.objects.get()
    assert application.reference.startswith("RM-") and len(application.reference) == 16
    assert application.credit_code == CODE and not application.credit_code_check_failed
    assert application.mobile == "13900001111" and application.elderly_delivery
    assert application.shop_phone == "0931-8123456"
    assert application.state == MerchantApplication.State.SUBMITTED and application.signed_name == "王建国"
    assert application.convention.version == "2026 年版"
    kinds = sorted(application.photos.values_list("kind", flat=True))
    assert kinds == [ApplicationPhoto.Kind.LICENCE, ApplicationPhoto.Kind.SHOP_FRONT]
    assert all("门头" not in p.file.name for p in application.photos.all())
    assert [(e.action, e.to_state, e.actor) for e in application.events.all()] == [
        (ApplicationEvent.Action.SUBMIT, MerchantApplication.State.SUBMITTED, None)
    ]
    thanks = client.get("/apply/thanks/").content.decode()
    assert application.reference in thanks and "/apply/status/" in thanks
    assert not Merchant.objects.exists()  # nothing public until a moderator approves


def test_review_step_shows_everything_with_change_links(client, place):
    key = key_of(client)
    walk_to_convention(client, place, key)
    convention = client.get("/apply/").context["convention"]
    response = post(client, "convention", {"convention": convention.pk, "agree": "on", "signed_name": "王建国"}, key)
    text = response.content.decode()
    assert "第 7 步，共 7 步" in text and "老王面馆" in text and "13900001111" in text and CODE in text
    assert "东门社区 · 不清楚所在街巷或楼栋" in text
    for step in ("community", "shop", "contact", "offers", "photos", "convention"):
        assert f'name="wizard_goto_step" value="{step}"' in text


def test_convention_text_is_shown_on_its_step(client, place):
    key = key_of(client)
    response = walk_to_convention(client, place, key)
    text = response.content.decode()
    assert "第 6 步，共 7 步" in text and "门前三包" in text


def test_double_submit_makes_one_application(client, place):
    key = key_of(client)
    walk(client, place, key)
    again = post(client, "review", {"confirm": "on"}, key)
    assert again.status_code == 302 and again["Location"] == "/apply/thanks/"
    assert MerchantApplication.objects.count() == 1


def test_resubmit_from_another_session_with_the_same_key_makes_one(client, place, django_user_model):
    key = key_of(client)
    walk(client, place, key)
    client.cookies.clear()
    again = post(client, "review", {"confirm": "on"}, key)
    assert again.status_code == 302 and MerchantApplication.objects.count() == 1


def test_errors_in_chinese_next_to_field_and_at_top_keep_input(client, place):
    key = key_of(client, place)
    response = post(client, "shop", shop_data(place, shop_name="", credit_code="12345"), key)
    text = response.content.decode()
    assert "请修改以下内容后再继续" in text and text.count("请填写店名。") == 2
    assert "统一社会信用代码应为 18 位，您输入了 5 位。" in text
    assert 'value="解放路 18 号"' in text and 'value="12345"' in text


def test_credit_code_of_an_existing_member_is_refused_by_name(client, place):
    f.merchant(name="老张超市", credit_code=CODE)
    key = key_of(client, place)
    response = post(client, "shop", shop_data(place), key)
    text = response.content.decode()
    assert "该统一社会信用代码已是联盟商户“老张超市”" in text and "第 2 步" in text


def test_credit_code_of_a_non_member_merchant_may_apply(client, place):
    f.merchant(name="老张超市", credit_code=CODE, status=Merchant.Status.WITHDRAWN)
    key = key_of(client, place)
    assert "第 3 步" in post(client, "shop", shop_data(place), key).content.decode()


def test_check_character_failure_is_said_where_it_is_typed_then_flagged_not_refused(client, place):
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    key = key_of(client, place)
    told = post(client, "shop", shop_data(place, credit_code=wrong), key).content.decode()
    assert "第 2 步" in told and "最后一位（校验位）与国家标准计算结果不符" in told
    assert f'value="{wrong}"' in told  # what was typed is kept
    assert f'name="shop-credit_code_confirmed" value="{wrong}"' in told  # what the browser posts back
    confirmed = shop_data(place, credit_code=wrong, credit_code_confirmed=wrong)
    again = post(client, "shop", confirmed, key).content.decode()
    assert "第 3 步" in again  # the same code a second time: on it goes
    walk_to_convention(client, place, key, shop=confirmed)
    convention = client.get("/apply/").context["convention"]
    review = post(client, "convention", {"convention": convention.pk, "agree": "on", "signed_name": "王建国"}, key)
    assert "校验位与国家标准计算结果不符" in review.content.decode()
    post(client, "review", {"confirm": "on"}, key)
    application = MerchantApplication.objects.get()
    assert application.credit_code == wrong and application.credit_code_check_failed


def test_a_corrected_code_after_the_warning_goes_straight_on(client, place):
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    key = key_of(client, place)
    post(client, "shop", shop_data(place, credit_code=wrong), key)
    assert "第 3 步" in post(client, "shop", shop_data(place, credit_code=CODE), key).content.decode()


def test_a_street_of_another_community_is_refused_on_its_field(client, place):
    other = f.grid_area(f.grid(f.community()), name="别处大街", kind="street")
    key = key_of(client, place)
    response = post(client, "shop", shop_data(place, area=other.pk), key)
    text = response.content.decode()
    assert response.status_code == 200 and "第 2 步" in text and "别处大街" not in text
    assert text.count("请从列表中重新选择街巷或楼栋。") == 2  # at the top and next to the field


@pytest.mark.parametrize(
    "contact,error",
    [
        ({"contact_person": "王建国", "mobile": "12345", "consent": "on"}, "请输入有效的 11 位手机号码"),
        ({"contact_person": "", "mobile": "13900001111", "consent": "on"}, "请填写联系人姓名。"),
        ({"contact_person": "王建国", "mobile": "13900001111"}, "请勾选同意个人信息告知"),
        (
            {"contact_person": "王建国", "mobile": "13900001111", "email": "不是邮箱", "consent": "on"},
            "请输入有效的电子邮箱",
        ),
    ],
)
def test_contact_errors(client, place, contact, error):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    response = post(client, "contact", contact, key)
    text = response.content.decode()
    assert error in text and "个人信息告知" in text and "第 3 步" in text


def test_shop_front_photo_is_required(client, place):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    post(client, "contact", {"contact_person": "王建国", "mobile": "13900001111", "consent": "on"}, key)
    post(client, "offers", {"opening_hours": "全天"}, key)
    response = post(client, "photos", {}, key)
    assert "请上传门头照片。" in response.content.decode()


@pytest.mark.parametrize(
    "upload",
    [
        ("shop.png", b"<svg onload=alert(1)></svg>"),
        ("shop.jpg", b"GIF89a<html><script>alert(1)</script>"),
        ("shop.jpg", b"not an image at all"),
    ],
)
def test_hostile_photos_get_a_field_error(client, place, upload):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    post(client, "contact", {"contact_person": "王建国", "mobile": "13900001111", "consent": "on"}, key)
    post(client, "offers", {"opening_hours": "全天"}, key)
    response = post(client, "photos", {}, key, photos={"shop_front": upload})
    text = response.content.decode()
    assert "第 5 步" in text and "has-error" in text


def test_kept_photo_counts_when_coming_back_to_the_step(client, place):
    key = key_of(client)
    walk_to_convention(client, place, key)
    client.post(
        "/apply/", {f"{PREFIX}-current_step": "convention", "submission_key": key, "wizard_goto_step": "photos"}
    )
    response = post(client, "photos", {}, key)  # no new file chosen: the stored one stays
    assert "第 6 步" in response.content.decode()


def test_signature_must_match_contact_person(client, place):
    key = key_of(client)
    walk_to_convention(client, place, key)
    convention = client.get("/apply/").context["convention"]
    response = post(client, "convention", {"convention": convention.pk, "agree": "on", "signed_name": "李四"}, key)
    assert "签名须与联系人姓名“王建国”一致。" in response.content.decode()
    response = post(client, "convention", {"convention": convention.pk, "signed_name": "王 建国"}, key)
    assert "请勾选同意公约后再继续。" in response.content.decode()


def test_a_convention_replaced_meanwhile_must_be_read_again(client, place):
    key = key_of(client)
    walk_to_convention(client, place, key)
    old = client.get("/apply/").context["convention"]
    f.convention(version="2027 年版")
    response = post(client, "convention", {"convention": old.pk, "agree": "on", "signed_name": "王建国"}, key)
    assert "公约已更新" in response.content.decode()


def test_back_keeps_what_was_typed_even_if_invalid(client, place):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    response = client.post(
        "/apply/",
        {
            f"{PREFIX}-current_step": "contact",
            "submission_key": key,
            "wizard_goto_step": "shop",
            "contact-contact_person": "王建国",
            "contact-mobile": "139",
        },
    )
    text = response.content.decode()
    assert "第 2 步" in text and 'value="老王面馆"' in text
    assert "第 2 步" in client.get("/apply/").content.decode()  # reload keeps the step
    response = post(client, "shop", shop_data(place), key)
    assert 'value="王建国"' in response.content.decode() and 'value="139"' in response.content.decode()


def test_reload_keeps_progress_and_restart_clears_it(client, place):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    assert "第 3 步" in client.get("/apply/").content.decode()
    confirm = client.get("/apply/?restart=1")  # a link: it only asks, and wipes nothing
    assert "清空已填写的内容？" in confirm.content.decode()
    assert "第 3 步" in client.get("/apply/").content.decode()
    wiped = client.post("/apply/", {"wizard_restart": "1"})
    assert wiped.status_code == 302 and wiped["Location"] == "/apply/"  # no ?restart left in the history
    assert "第 1 步" in client.get("/apply/").content.decode()
    assert client.get("/apply/?restart=1").status_code == 200  # nothing typed: no question asked


def test_expired_session_is_told_plainly(client, place):
    key = key_of(client, place)
    post(client, "shop", shop_data(place), key)
    client.cookies.clear()
    response = post(client, "contact", {"contact_person": "王建国"}, key)
    text = response.content.decode()
    assert response.status_code == 400 and "您的填写已过期" in text and "请填写手机号码" not in text


def test_thanks_without_a_submission_goes_to_the_wizard(client, place):
    response = client.get("/apply/thanks/")
    assert response.status_code == 302 and response["Location"] == "/apply/"


def test_a_bot_filling_the_honeypot_stores_nothing(client, place):
    key = key_of(client)
    assert 'name="website"' in client.get("/apply/").content.decode()
    walk_to_convention(client, place, key)
    convention = client.get("/apply/").context["convention"]
    client.post(
        "/apply/",
        {
            f"{PREFIX}-current_step": "convention",
            "submission_key": key,
            "website": "http://spam.example",
            "convention-convention": convention.pk,
            "convention-agree": "on",
            "convention-signed_name": "王建国",
        },
    )
    response = post(client, "review", {"confirm": "on"}, key)
    assert response.status_code == 302 and not MerchantApplication.objects.exists()


def _submit(place, key, convention):
    return submit_application(
        key,
        shop={
            "shop_name": "老王面馆",
            "category": "restaurant",
            "address": "解放路 18 号",
            "community": place["community"],
            "grid": place["grid"],
            "area": None,
            "place_unsure": True,
            "credit_code": CODE,
        },
        contact={"contact_person": "王建国", "mobile": "13900001111", "email": ""},
        offers={"opening_hours": "全天"},
        photos=[],
        convention={"convention": convention, "signed_name": "王建国"},
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_final_posts_of_one_application_make_one_record():
    community = f.community()
    place = {"community": community, "grid": f.grid(community)}
    convention = f.convention()
    run_in_threads(8, lambda i: _submit(place, "same-key", convention))
    assert MerchantApplication.objects.filter(submission_key="same-key").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_applicants_get_distinct_references():
    community = f.community()
    place = {"community": community, "grid": f.grid(community)}
    convention = f.convention()
    run_in_threads(20, lambda i: _submit(place, f"applicant-{i}", convention))
    references = set(MerchantApplication.objects.values_list("reference", flat=True))
    assert len(references) == 20 and all(r.startswith("RM-") for r in references)


def test_the_private_link_carries_the_sites_address(place, real_site):
    client = Client(HTTP_HOST="10.1.2.3:8000")  # the office LAN, not the site's address
    walk(client, place, key_of(client))
    thanks = client.get("/apply/thanks/").content.decode()
    assert re.search(r"https://shangju\.example\.cn/apply/status/[\w-]+/", thanks)
    assert "10.1.2.3" not in thanks


def test_a_shop_phone_that_cannot_be_dialled_is_refused_on_the_offers_step(client, place):
    key = key_of(client)
    driver.walk_apply(client, place, key, credit_code=TYPED_CODE, convention=None, upto="offers")
    offers = {"offers": "", "opening_hours": "7:00—21:00", "shop_phone": "找老王"}
    text = post(client, "offers", offers, key).content.decode()
    assert "电话号码只能包含数字、空格、“-”、“+”和括号" in text
