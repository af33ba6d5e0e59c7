"""A provincial officer imports a spreadsheet with a bad row, sees the row error, fixes it and imports."""

from __future__ import annotations

import pytest
from django.urls import reverse
from openpyxl import Workbook

from ocop.imports.models import ImportJob
from ocop.registry.models import Producer
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["STT", "Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường", "Huyện", "Tỉnh", "Điện thoại"]
GOOD_ROWS = [
    [1, "HTX Vải thiều Phì Điền", "HTX", "0100109106-101", "Xã Phì Điền", "Huyện Lục Ngạn", "Bắc Giang", "0204111222"],
    [2, "HTX Gà đồi Đồng Tâm", "HTX", "0100109106-102", "Xã Đồng Tâm", "Huyện Yên Thế", "Bắc Giang", "0204111333"],
    [3, "HTX Mỳ Chũ Nam Chũ", "HTX", "0100109106-103", "Xã Lục Ngạn", "", "", "0204111444"],
]
# Row 3 of the sheet (the second data row) carries a tax code whose check digit is wrong.
BAD_TAX_CODE = "0100109107"


def _sheet(tmp_path, name: str, rows: list[list]) -> str:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return str(path)


def _upload_and_check(page, path: str) -> None:
    page.goto(reverse("imports:upload"))
    page.set_input_files("#id_file", path)
    page.select_option("#id_kind", value="producers")
    submit(page, "#id_kind")
    page.wait_for_url("**/columns/")
    submit(page, "select")
    page.wait_for_url("**/check/")


def test_import_with_a_bad_row_then_fixed(page, world, tmp_path):
    log_in(page, "persona_province")
    bad_rows = [list(r) for r in GOOD_ROWS]
    bad_rows[1][3] = BAD_TAX_CODE
    _upload_and_check(page, _sheet(tmp_path, "chu-the-loi.xlsx", bad_rows))

    # The row error is shown in Vietnamese with its row number and column; nothing can be imported.
    main = page.locator("main")
    assert "Dòng 3" in main.inner_text()
    assert "Mã số thuế" in main.inner_text()
    assert "chữ số kiểm tra" in main.inner_text()
    assert page.locator("main form button", has_text="Nhập ngay").count() == 0
    assert not Producer.objects.filter(name__in=[r[1] for r in GOOD_ROWS]).exists()

    # The officer corrects the row in the spreadsheet and uploads it again.
    _upload_and_check(page, _sheet(tmp_path, "chu-the.xlsx", GOOD_ROWS))
    assert "Dòng 3" not in page.locator("main").inner_text()
    page.locator("main form button", has_text="Nhập ngay").click()
    page.wait_for_function("document.body.innerText.includes('Đã nhập')", timeout=30_000)

    job = ImportJob.objects.filter(original_name="chu-the.xlsx").get()
    assert job.status == "done"
    imported = Producer.objects.filter(name__in=[r[1] for r in GOOD_ROWS])
    assert imported.count() == 3
    assert {p.province for p in imported} == {world.bac_ninh}
    lychee = imported.get(name="HTX Vải thiều Phì Điền")
    # Made under the old map: the record keeps its former commune, and belongs to Bắc Ninh today.
    assert lychee.commune.map == "legacy"
    assert lychee.commune.province.name == "Bắc Giang"
