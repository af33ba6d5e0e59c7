"""Guessing columns from headers, and reading cells."""

import datetime as dt
from decimal import Decimal

import pytest

from ocop.imports import cells
from ocop.imports.cells import CellError, Choices
from ocop.imports.fields import guess_mapping
from ocop.imports.importer import add_months, rulebook_on


def test_vietnamese_producer_headers():
    headers = ["STT", "Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường", "Huyện", "Tỉnh", "SĐT", "Ghi chú"]
    assert guess_mapping("producers", headers) == {
        "name": "Tên chủ thể",
        "kind": "Loại hình",
        "tax_code": "Mã số thuế",
        "commune": "Xã/phường",
        "district": "Huyện",
        "province": "Tỉnh",
        "phone": "SĐT",
    }


def test_headers_without_accents_or_in_english():
    headers = ["TEN CHU THE", "ma so thue", "Commune", "District", "Province", "Legal representative"]
    assert guess_mapping("producers", headers) == {
        "name": "TEN CHU THE",
        "tax_code": "ma so thue",
        "commune": "Commune",
        "district": "District",
        "province": "Province",
        "rep_name": "Legal representative",
    }


def test_product_headers_exact_beats_contains():
    headers = [
        "Tên sản phẩm",
        "Chủ thể",
        "Hạng sao",
        "Số quyết định",
        "Ngày quyết định",
        "Ngày cấp",
        "Ngày hết hạn",
        "Bộ sản phẩm",
        "Tổng điểm",
        "Số GCN",
    ]
    assert guess_mapping("products", headers) == {
        "name": "Tên sản phẩm",
        "producer_name": "Chủ thể",
        "star": "Hạng sao",
        "decision_number": "Số quyết định",
        "decision_date": "Ngày quyết định",
        "issued_on": "Ngày cấp",
        "expires_on": "Ngày hết hạn",
        "product_set": "Bộ sản phẩm",
        "score": "Tổng điểm",
        "certificate_number": "Số GCN",
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [("3 sao", 3), (4, 4), ("5★", 5), ("★★★", 3), ("****", 4), (4.0, 4), ("Hạng 3 sao", None)]
)
def test_star(raw, expected):
    if expected is None:
        with pytest.raises(CellError):
            cells.star(raw)
    else:
        assert cells.star(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15/03/2022", dt.date(2022, 3, 15)),
        ("5-1-2023", dt.date(2023, 1, 5)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2024-02-29 00:00:00", dt.date(2024, 2, 29)),
        (dt.datetime(2021, 6, 1, 8, 0), dt.date(2021, 6, 1)),
        (44927, dt.date(2023, 1, 1)),
    ],
)
def test_dates(raw, expected):
    assert cells.date(raw) == expected


def test_codes_typed_as_numbers_get_their_zero_back():
    assert cells.tax_code(100109106) == "0100109106"
    assert cells.phone(912345678) == "0912345678"
    assert cells.score("85,5") == Decimal("85.50")
    with pytest.raises(CellError) as info:
        cells.tax_code("0100109107")
    assert info.value.code == "tax_code_check"


def test_formula_apostrophe_is_removed_on_import():
    assert cells.text("'=1+2") == "=1+2"
    assert cells.text("'bình thường") == "'bình thường"


def test_producer_kinds_in_both_languages():
    choices = Choices()
    assert choices.kind("HTX") == "cooperative"
    assert choices.kind("hợp tác xã") == "cooperative"
    assert choices.kind("THT") == "coop_group"
    assert choices.kind("Doanh nghiệp") == "enterprise"
    assert choices.kind("Enterprise") == "enterprise"
    assert choices.kind("Hộ kinh doanh") == "registered_household"
    assert choices.kind("farm") == "farm"
    with pytest.raises(CellError):
        choices.kind("Xưởng")


def test_certificate_period_and_rulebook():
    assert add_months(dt.date(2024, 2, 29), 36) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert rulebook_on(dt.date(2023, 2, 23)) == "qd-1048-2019"
    assert rulebook_on(dt.date(2023, 2, 24)) == "qd-148-2023"
    assert rulebook_on(dt.date(2026, 6, 1)) == "qd-26-2026"
