"""Identifiers with check digits: tax codes and GTINs."""

import pytest
from django.core.exceptions import ValidationError

from ocop.registry.validators import gtin14, gtin_check_digit, tax_code_check_digit, validate_gtin, validate_tax_code


@pytest.mark.parametrize("code", ["0100109106", "0101245486", "0100109106-001", "024090001234"])
def test_valid_tax_codes(code):
    validate_tax_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("0100109107", "tax_code_check"),
        ("0101245480", "tax_code_check"),
        ("010010910", "tax_code_format"),
        ("0100109106-1", "tax_code_format"),
        ("01001O9106", "tax_code_format"),
    ],
)
def test_invalid_tax_codes(code, error):
    with pytest.raises(ValidationError) as caught:
        validate_tax_code(code)
    assert caught.value.code == error


def test_tax_check_digit_formula():
    # 31·0 + 29·1 + 23·0 + 19·0 + 17·1 + 13·0 + 7·9 + 5·1 + 3·0 = 114; 114 mod 11 = 4; 10 - 4 = 6.
    assert tax_code_check_digit("010010910") == 6


def test_gtin_check_digit_computed_by_hand():
    # 893504950051: odd positions from the right ×3 → sum 97 → check digit 3.
    assert gtin_check_digit("893504950051") == 3
    validate_gtin("8935049500513")


@pytest.mark.parametrize("body", ["893504950051", "893123456789", "8931234", "0001234567890"])
def test_computed_gtins_validate(body):
    validate_gtin(body + str(gtin_check_digit(body)))


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("8935049500514", "gtin_check"),
        ("893504950051", "gtin_check"),
        ("89350495", "gtin_check"),
        ("12345", "gtin_format"),
        ("89350495005a3", "gtin_format"),
    ],
)
def test_invalid_gtins(value, error):
    with pytest.raises(ValidationError) as caught:
        validate_gtin(value)
    assert caught.value.code == error


def test_gtin14_pads():
    assert gtin14("8935049500513") == "08935049500513"
