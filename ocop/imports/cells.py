"""Reading one spreadsheet cell into a typed value, with a coded error when it cannot be read.

Errors carry a code and parameters rather than text, so a job's errors are
shown in the language of whoever reads them; the messages live in
`ocop.imports.messages`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation

from ocop.imports.fields import norm
from ocop.registry.models import Gender, ProducerKind, ProducerStatus, ProductStatus
from ocop.registry.validators import validate_gtin, validate_tax_code


class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# Characters that make a spreadsheet treat a cell as a formula; the CSV export
# prefixes such cells with an apostrophe, which the import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(value: Any) -> str:
    """The cell as trimmed text ('' for blank)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    result = unicodedata.normalize("NFC", str(value)).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in FORMULA_STARTS:
        result = result[1:]
    return result


def limited(value: str, max_length: int) -> str:
    if len(value) > max_length:
        raise CellError("too_long", max=max_length)
    return value


def _digits_from_number(value: Any, lengths: dict[int, int]) -> str | None:
    # A column of codes typed into Excel as numbers loses its leading zero
    # (0100109106 → 100109106); put it back when the length says so.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return None
        digits = str(int(value))
        return digits.zfill(lengths[len(digits)]) if len(digits) in lengths else digits
    return None


def tax_code(value: Any) -> str:
    code = _digits_from_number(value, {9: 10, 11: 12}) or text(value).replace(" ", "")
    try:
        validate_tax_code(code)
    except ValidationError as exc:
        raise CellError(exc.code or "tax_code_format") from None
    return code


def id_number(value: Any) -> str:
    number = _digits_from_number(value, {8: 9, 11: 12}) or text(value).replace(" ", "")
    if not re.fullmatch(r"\d{9}|\d{12}", number):
        raise CellError("id_number")
    return number


def phone(value: Any) -> str:
    number = _digits_from_number(value, {9: 10}) or text(value)
    if not re.fullmatch(r"\+?[0-9][0-9 .()\-]{6,18}", number):
        raise CellError("phone")
    return number


def email(value: Any) -> str:
    address = text(value)
    try:
        EmailValidator()(address)
    except ValidationError:
        raise CellError("email") from None
    return limited(address, 254)


def website(value: Any) -> str:
    url = text(value)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = f"https://{url}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise CellError("website") from None
    return limited(url, 200)


def gtin(value: Any) -> str:
    code = _digits_from_number(value, {}) or text(value).replace(" ", "")
    try:
        validate_gtin(code)
    except ValidationError as exc:
        raise CellError(exc.code or "gtin_format") from None
    return code


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # An Excel serial day number in a cell without a date format.
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    raw = text(value)
    candidate = raw[:10] if re.match(r"\d{4}-\d{2}-\d{2}[ T]", raw) else raw
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            day = dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
        if 1990 <= day.year <= 2100:
            return day
    raise CellError("date", value=raw)


def star(value: Any) -> int:
    raw = text(value)
    marks = raw.replace(" ", "")
    if marks and set(marks) <= {"★", "*", "☆"}:
        count = marks.count("★") + marks.count("*")
    else:
        match = re.match(r"^\s*(\d+)", raw)
        count = int(match.group(1)) if match else 0
    if count not in (3, 4, 5):
        raise CellError("star", value=raw)
    return count


def score(value: Any) -> Decimal:
    raw = text(value).replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError("score", value=text(value)) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise CellError("score", value=text(value))
    return number.quantize(Decimal("0.01"))


# --- Choices read from Vietnamese or English words -------------------------------------------
def _choice_table(choices: Any, words: dict[str, str]) -> dict[str, str]:
    table = {norm(word): value for word, value in words.items()}
    for value, label in choices.choices:
        table[norm(value)] = value
        for language in ("vi", "en"):
            with translation.override(language):
                table.setdefault(norm(str(label)), value)
    return table


# The first word listed for each value is what the export writes.
KIND_WORDS = {
    "Hợp tác xã": ProducerKind.COOPERATIVE,
    "HTX": ProducerKind.COOPERATIVE,
    "Liên hiệp hợp tác xã": ProducerKind.COOPERATIVE,
    "Cooperative": ProducerKind.COOPERATIVE,
    "Tổ hợp tác": ProducerKind.COOPERATIVE_GROUP,
    "THT": ProducerKind.COOPERATIVE_GROUP,
    "Cooperative group": ProducerKind.COOPERATIVE_GROUP,
    "Doanh nghiệp": ProducerKind.ENTERPRISE,
    "DN": ProducerKind.ENTERPRISE,
    "DNNVV": ProducerKind.ENTERPRISE,
    "Doanh nghiệp nhỏ và vừa": ProducerKind.ENTERPRISE,
    "Công ty": ProducerKind.ENTERPRISE,
    "Cty": ProducerKind.ENTERPRISE,
    "Công ty TNHH": ProducerKind.ENTERPRISE,
    "Công ty cổ phần": ProducerKind.ENTERPRISE,
    "Enterprise": ProducerKind.ENTERPRISE,
    "Company": ProducerKind.ENTERPRISE,
    "Trang trại": ProducerKind.FARM,
    "Farm": ProducerKind.FARM,
    "Hộ sản xuất": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Hộ gia đình": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Hộ": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Cơ sở sản xuất": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Production household": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Household": ProducerKind.PRODUCTION_HOUSEHOLD,
    "Hộ kinh doanh có đăng ký": ProducerKind.REGISTERED_HOUSEHOLD,
    "Hộ kinh doanh": ProducerKind.REGISTERED_HOUSEHOLD,
    "Hộ kinh doanh cá thể": ProducerKind.REGISTERED_HOUSEHOLD,
    "Hộ sản xuất kinh doanh có đăng ký": ProducerKind.REGISTERED_HOUSEHOLD,
    "Registered household": ProducerKind.REGISTERED_HOUSEHOLD,
    "Hiệp hội": ProducerKind.ASSOCIATION,
    "Hội": ProducerKind.ASSOCIATION,
    "Tổ chức tương đương": ProducerKind.ASSOCIATION,
    "Association": ProducerKind.ASSOCIATION,
}
# Names that start with these words say what kind of producer they are.
_KIND_PREFIXES = (
    ("hop tac xa ", ProducerKind.COOPERATIVE),
    ("htx ", ProducerKind.COOPERATIVE),
    ("to hop tac ", ProducerKind.COOPERATIVE_GROUP),
    ("tht ", ProducerKind.COOPERATIVE_GROUP),
    ("cong ty ", ProducerKind.ENTERPRISE),
    ("cty ", ProducerKind.ENTERPRISE),
    ("doanh nghiep ", ProducerKind.ENTERPRISE),
    ("trang trai ", ProducerKind.FARM),
    ("ho kinh doanh ", ProducerKind.REGISTERED_HOUSEHOLD),
    ("hkd ", ProducerKind.REGISTERED_HOUSEHOLD),
    ("hiep hoi ", ProducerKind.ASSOCIATION),
)
PRODUCER_STATUS_WORDS = {
    "Đã xác minh": ProducerStatus.VERIFIED,
    "Xác minh": ProducerStatus.VERIFIED,
    "Đã duyệt": ProducerStatus.VERIFIED,
    "Đang hoạt động": ProducerStatus.VERIFIED,
    "Hoạt động": ProducerStatus.VERIFIED,
    "Chờ xác minh": ProducerStatus.PENDING,
    "Chờ duyệt": ProducerStatus.PENDING,
    "Bị từ chối": ProducerStatus.REJECTED,
    "Từ chối": ProducerStatus.REJECTED,
    "Tạm dừng": ProducerStatus.SUSPENDED,
    "Đình chỉ": ProducerStatus.SUSPENDED,
}
PRODUCT_STATUS_WORDS = {
    "Đang sản xuất": ProductStatus.ACTIVE,
    "Đang hoạt động": ProductStatus.ACTIVE,
    "Hoạt động": ProductStatus.ACTIVE,
    "Nháp": ProductStatus.DRAFT,
    "Bản nháp": ProductStatus.DRAFT,
    "Ngừng sản xuất": ProductStatus.DISCONTINUED,
    "Ngừng": ProductStatus.DISCONTINUED,
}
GENDER_WORDS = {"Nữ": Gender.FEMALE, "Nam": Gender.MALE, "Khác": Gender.OTHER, "F": Gender.FEMALE, "M": Gender.MALE}


def export_word(words: dict[str, str], value: str) -> str:
    """The word the export writes for a choice value: the first listed for it."""
    for word, choice in words.items():
        if choice == value:
            return word
    return value


class Choices:
    """Lookup tables for choice columns, built once per import (labels are translated lazily)."""

    def __init__(self) -> None:
        self.kinds = _choice_table(ProducerKind, KIND_WORDS)
        self.producer_status_table = _choice_table(ProducerStatus, PRODUCER_STATUS_WORDS)
        self.product_status_table = _choice_table(ProductStatus, PRODUCT_STATUS_WORDS)
        self.genders = _choice_table(Gender, GENDER_WORDS)

    @staticmethod
    def _pick(table: dict[str, str], value: Any, code: str) -> str:
        found = table.get(norm(text(value)))
        if found is None:
            raise CellError(code, value=text(value))
        return found

    def kind(self, value: Any) -> str:
        return self._pick(self.kinds, value, "kind_unknown")

    @staticmethod
    def kind_from_name(name: str) -> str | None:
        folded = norm(name) + " "
        for prefix, kind in _KIND_PREFIXES:
            if folded.startswith(prefix):
                return kind
        return None

    def producer_status(self, value: Any) -> str:
        return self._pick(self.producer_status_table, value, "status_unknown")

    def product_status(self, value: Any) -> str:
        return self._pick(self.product_status_table, value, "status_unknown")

    def gender(self, value: Any) -> str:
        return self._pick(self.genders, value, "gender")
