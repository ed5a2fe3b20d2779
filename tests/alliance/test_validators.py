"""The identifier checks: GB 32100-2015 credit codes and mainland mobile numbers."""

import pytest
from django.core.exceptions import ValidationError

from alliance.validators import (
    _CREDIT_WEIGHTS,
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    credit_code_check_passes,
    mask_mobile,
    normalise_credit_code,
    normalise_mobile,
    normalise_public_phone,
    tel_uri,
    validate_credit_code,
    validate_mobile,
    validate_public_phone,
)

# Codes published on business licences and registration notices (GB 32100-2015).
PUBLISHED_CODES = [
    "91350100M000100Y43",  # the example most often cited for the standard
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91330100716105852F",  # Alibaba (China) Co., Ltd.
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd.
]


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_pass_the_check(code):
    assert credit_code_check_character(code) == code[-1]
    assert credit_code_check_passes(code)
    validate_credit_code(code)


def test_weights_are_powers_of_three_mod_31():
    assert _CREDIT_WEIGHTS == [pow(3, i, 31) for i in range(17)]
    assert len(CREDIT_CODE_ALPHABET) == 31


def test_check_character_computed_by_hand():
    # 9 1 3 5 0 1 0 0 M(=21) 0 0 0 1 0 0 Y(=30) 4 weighted by 3^i mod 31 sums to 1640;
    # 1640 mod 31 = 28 and 31 - 28 = 3.
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", ["91350100M000100Y44", "914403001922038215", "91330100716105852E"])
def test_wrong_check_character_is_not_refused_but_fails_the_check(code):
    validate_credit_code(code)
    assert not credit_code_check_passes(code)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        (" 9135 0100-M000 100Y43 ", "91350100M000100Y43"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_credit_code(raw, expected):
    assert normalise_credit_code(raw) == expected


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", "123"])
def test_wrong_length_is_refused_in_chinese(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    message = excinfo.value.messages[0]
    assert "应为 18 位" in message
    assert f"{len(code)} 位" in message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused_in_chinese(letter):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(f"91350100M000100{letter}43")
    assert f"不允许的字符：{letter}" in excinfo.value.messages[0]


def test_lower_case_letter_outside_the_alphabet_is_refused_after_upper_casing():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91350100m000100o43")
    assert "不允许的字符：O" in excinfo.value.messages[0]


def test_punctuation_is_refused_and_listed():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91350100M000100#*3")
    assert "#" in excinfo.value.messages[0]
    assert "*" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    "raw",
    [
        "+86 138-1234-5678",
        "１３８１２３４５６７８",
        "0086 13812345678",
        "138 1234 5678",
        "8613812345678",
        "(+86)13812345678",
    ],
)
def test_mobile_is_normalised(raw):
    assert normalise_mobile(raw) == "13812345678"
    validate_mobile(raw)


@pytest.mark.parametrize("raw", ["12345", "12812345678", "1381234567", "138123456789", "010-12345678", "abcdefghijk"])
def test_bad_mobile_is_refused_in_chinese(raw):
    with pytest.raises(ValidationError) as excinfo:
        validate_mobile(raw)
    assert "请输入有效的 11 位手机号码" in excinfo.value.messages[0]


def test_mask_mobile():
    assert mask_mobile("+86 138-1234-5678") == "138****5678"
    assert mask_mobile("12345") == "****"


# --- A shop's public phone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, shown, dialled",
    [
        ("0931-8123456", "0931-8123456", "tel:09318123456"),
        ("０９３１－８１２３４５６", "0931-8123456", "tel:09318123456"),
        ("(0931) 812 3456", "(0931) 812 3456", "tel:09318123456"),
        ("（0931）8123456", "(0931)8123456", "tel:09318123456"),
        ("400-800-1234", "400-800-1234", "tel:4008001234"),
        ("+86 931 8123456", "+86 931 8123456", "tel:+869318123456"),
        ("13812345678", "13812345678", "tel:13812345678"),
        ("  8123456 ", "8123456", "tel:8123456"),
    ],
)
def test_public_phones_are_kept_as_typed_and_dialled_as_digits(typed, shown, dialled):
    validate_public_phone(typed)
    assert normalise_public_phone(typed) == shown
    assert tel_uri(typed) == dialled


@pytest.mark.parametrize(
    "typed", ["打电话给老王", "12345", "0931-8123456 转 801", "1" * 21, "0931-8123456；13812345678", "+"]
)
def test_other_phones_are_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as refused:
        validate_public_phone(typed)
    assert "电话号码" in refused.value.messages[0]
