"""Registry rules that hold whichever way a merchant is saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliance.models import Community, Grid, Merchant
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_save_normalises_and_flags_a_failing_check_character():
    m = f.merchant(credit_code="９１３５０１００ｍ０００１００ｙ４４", mobile="+86 138-1234-5678")
    m.refresh_from_db()
    assert m.credit_code == "91350100M000100Y44"
    assert m.credit_code_check_failed is True
    assert m.mobile == "13812345678"


def test_save_clears_the_flag_when_the_code_is_corrected():
    m = f.merchant(credit_code="91350100M000100Y44")
    m.credit_code = "91350100M000100Y43"
    m.save()
    m.refresh_from_db()
    assert m.credit_code_check_failed is False


def test_blank_credit_code_is_stored_as_null_so_many_shops_may_lack_one():
    a = f.merchant(credit_code="")
    b = f.merchant(credit_code="  ")
    assert a.credit_code is None and b.credit_code is None
    assert Merchant.objects.filter(credit_code__isnull=True).count() == 2


def test_full_clean_normalises_before_checking_length():
    m = f.merchant()
    m.credit_code = " 9135 0100 M000 100Y 43 "
    m.mobile = "0086 138 1234 5678"
    m.full_clean()
    assert m.credit_code == "91350100M000100Y43"
    assert m.mobile == "13812345678"


def test_full_clean_refuses_bad_codes_and_mobiles_in_chinese():
    m = f.merchant()
    m.credit_code = "91350100M000100O43"
    m.mobile = "12345"
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    errors = excinfo.value.message_dict
    assert "不允许的字符：O" in errors["credit_code"][0]
    assert "11 位手机号码" in errors["mobile"][0]


def test_duplicate_credit_code_message_is_chinese():
    f.merchant(credit_code="91350100M000100Y43")
    other = Merchant(
        name="重复", category="shop", address="x", community=f.community(), credit_code="91350100M000100Y43"
    )
    with pytest.raises(ValidationError) as excinfo:
        other.full_clean()
    assert excinfo.value.message_dict["credit_code"] == ["该统一社会信用代码已被其他商户使用，请核对营业执照。"]


def test_duplicate_credit_code_is_refused_by_the_database_too():
    f.merchant(credit_code="91350100M000100Y43")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.merchant(credit_code="91350100m000100y43")


def test_grid_from_another_community_is_refused():
    here, there = f.community(), f.community()
    m = f.merchant(community_=here)
    m.grid = f.grid(there)
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    assert excinfo.value.message_dict["grid"] == ["所选网格不属于所选社区，请重新选择。"]


def test_becoming_a_member_sets_the_membership_date():
    m = f.merchant(status=Merchant.Status.APPLICANT)
    m.membership_status = Merchant.Status.MEMBER
    m.full_clean()
    assert isinstance(m.member_since, datetime.date)


def test_grid_names_are_unique_within_a_community_with_a_chinese_message():
    c = f.community()
    f.grid(c, name="第一网格")
    f.grid(f.community(), name="第一网格")  # another community may reuse the name
    with pytest.raises(ValidationError) as excinfo:
        Grid(community=c, name="第一网格").full_clean()
    assert "这个社区已有同名网格" in str(excinfo.value)


def test_community_unique_messages_are_chinese():

    f.community(name="东门社区", slug="dongmen")
    with pytest.raises(ValidationError) as excinfo:
        Community(name="东门社区", slug="dongmen").full_clean()
    errors = excinfo.value.message_dict
    assert errors["name"] == ["已有同名社区，请核对。"]
    assert errors["slug"] == ["这个网址标识已被其他社区使用，请换一个。"]


def test_members_queryset_excludes_every_other_status():
    member = f.merchant()
    for status in (Merchant.Status.APPLICANT, Merchant.Status.SUSPENDED, Merchant.Status.WITHDRAWN):
        f.merchant(status=status)
    assert list(Merchant.objects.members()) == [member]
