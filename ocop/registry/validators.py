"""Validators for identifiers that carry their own check digits."""

from __future__ import annotations

import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code_check_digit(first_nine: str) -> int | None:
    """Check digit of a Vietnamese enterprise tax code (mã số thuế).

    N10 = 10 - (31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 + 13·N6 + 7·N7 + 5·N8 + 3·N9) mod 11;
    a result of 10 (remainder 0) means no valid code uses these nine digits.
    Checked against published codes, e.g. 0100109106 and 0101245486.
    """
    remainder = sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def validate_tax_code(value: str) -> None:
    value = value.strip()
    if re.fullmatch(r"\d{12}", value):
        # Since 1 July 2025 a household business uses the owner's 12-digit
        # personal ID number as its tax code; it has no check digit to verify.
        return
    match = re.fullmatch(r"(\d{10})(?:-(\d{3}))?", value)
    if not match:
        raise ValidationError(
            _("A tax code has 10 digits (optionally followed by -NNN for a branch) or 12 digits."),
            code="tax_code_format",
        )
    digits = match.group(1)
    if tax_code_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(_("The tax code's check digit is wrong: please check the number."), code="tax_code_check")


@functools.lru_cache(maxsize=4096)
def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before the check digit (remembered: every scan checks its GTIN)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(value: str) -> None:
    value = value.strip()
    if not re.fullmatch(r"\d{8}|\d{12}|\d{13}|\d{14}", value):
        raise ValidationError(_("A GTIN has 8, 12, 13 or 14 digits."), code="gtin_format")
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(_("The GTIN's check digit is wrong: please check the barcode number."), code="gtin_check")


def gtin14(value: str) -> str:
    """The GTIN padded to 14 digits, as GS1 Digital Link expects."""
    return value.strip().zfill(14)
