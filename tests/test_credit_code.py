import pytest
from django.core.exceptions import ValidationError

from projects.core.validators import normalize_credit_code, validate_credit_code

REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）网络技术有限公司
    "91350100M000100Y43",  # the standard's own example
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_accepts_real_codes(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("914403001922038217", "credit_code_check"),  # last character changed
        ("9144030019220382", "credit_code_length"),
        ("9144030019220382161", "credit_code_length"),
        ("9144030071526726xg", "credit_code_case"),
        ("91440300192203821I", "credit_code_chars"),  # I is never used
        ("91A403001922038216", "credit_code_region"),
    ],
)
def test_it_rejects_bad_codes_with_their_own_reason(code, error_code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == error_code


def test_the_length_error_says_how_long_the_code_was():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("12345")
    assert "5" in exc.value.messages[0]


def test_forms_normalise_spaces_and_case_before_validating():
    assert normalize_credit_code(" 9144 0300 7152 6726xg ") == "9144030071526726XG"
    assert normalize_credit_code("   ") is None
