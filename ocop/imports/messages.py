"""Row-level error messages of an import, by code.

Errors are stored as codes with parameters and turned into text when shown,
in the language of whoever reads them (Vietnamese by default).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MESSAGES = {
    "required": gettext_lazy("a value is required"),
    "too_long": gettext_lazy("too long (at most %(max)s characters)"),
    "tax_code_format": gettext_lazy("a tax code has 10 digits (or 10 digits and -NNN for a branch) or 12 digits"),
    "tax_code_check": gettext_lazy("the tax code's check digit is wrong"),
    "tax_code_elsewhere": gettext_lazy("this tax code belongs to a producer of another province"),
    "kind_unknown": gettext_lazy(
        "unknown type of producer “%(value)s” (use HTX, THT, doanh nghiệp, trang trại, hộ sản xuất, "
        "hộ kinh doanh or hiệp hội)"
    ),
    "kind_missing": gettext_lazy("the type of producer is required (HTX, THT, doanh nghiệp, …)"),
    "commune_unknown": gettext_lazy("no commune “%(value)s” in %(province)s"),
    "commune_ambiguous": gettext_lazy(
        "“%(value)s” may be any of several communes (%(choices)s): add the district or the former province"
    ),
    "district_unknown": gettext_lazy("no former district “%(value)s” in %(province)s"),
    "province_other": gettext_lazy(
        "“%(value)s” is neither %(province)s nor one of the former provinces it was formed from"
    ),
    "current_commune_differs": gettext_lazy("differs from the commune, which is already a present-day commune"),
    "email": gettext_lazy("not a valid e-mail address"),
    "website": gettext_lazy("not a valid web address"),
    "phone": gettext_lazy("not a valid phone number"),
    "gender": gettext_lazy("unknown gender “%(value)s” (use Nam, Nữ or Khác)"),
    "id_number": gettext_lazy("an ID number has 9 or 12 digits"),
    "status_unknown": gettext_lazy("unknown status “%(value)s”"),
    "duplicate_producer": gettext_lazy("the same producer is already on row %(first)s"),
    "producer_missing": gettext_lazy(
        "no such producer in %(province)s: import the producers first, or fill in the producer's name, type and commune"
    ),
    "producer_ambiguous": gettext_lazy(
        "several producers in %(province)s have this name: add the tax code or the commune"
    ),
    "product_set_unknown": gettext_lazy("unknown product set “%(value)s” (use its number, 1 to 26, or its name)"),
    "code_taken": gettext_lazy("the OCOP code %(value)s already belongs to another product (“%(product)s”)"),
    "code_repeated": gettext_lazy("the OCOP code %(value)s is already used on row %(first)s by another product"),
    "gtin_format": gettext_lazy("a GTIN has 8, 12, 13 or 14 digits"),
    "gtin_check": gettext_lazy("the GTIN's check digit is wrong"),
    "product_conflict": gettext_lazy("differs from row %(first)s, which describes the same product"),
    "star": gettext_lazy("“%(value)s” is not a star rating: use 3, 4 or 5 (e.g. “4 sao”)"),
    "score": gettext_lazy("“%(value)s” is not a score from 0 to 100"),
    "date": gettext_lazy("“%(value)s” is not a date (use dd/mm/yyyy)"),
    "issued_missing": gettext_lazy("the issue date (or the decision date) is required when stars are given"),
    "star_missing": gettext_lazy("the stars are required for a certificate"),
    "expiry_before_issue": gettext_lazy("the expiry date must be after the issue date"),
    "duplicate_certificate": gettext_lazy("the same certificate is already on row %(first)s"),
}


def error_message(code: str, params: dict[str, Any] | None = None) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def format_error(error: dict[str, Any]) -> str:
    """'Dòng 7, cột 'Mã số thuế': mã số thuế sai chữ số kiểm tra' in the active language."""
    message = error_message(error.get("code", ""), error.get("params"))
    if error.get("column"):
        return _("Row %(row)s, column '%(column)s': %(message)s") % {
            "row": error.get("row"),
            "column": error["column"],
            "message": message,
        }
    return _("Row %(row)s: %(message)s") % {"row": error.get("row"), "message": message}
