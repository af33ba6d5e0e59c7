"""Files that must be refused with a clear Vietnamese message, storing nothing."""

import io
import os
import zipfile

import pytest

from ocop.imports.models import ImportJob
from ocop.imports.tests.util import PRODUCER_HEADERS, csv_bytes, tax_code, upload, xlsx_bytes

GOOD_ROW = [1, "HTX Vải Lục Ngạn", "HTX", tax_code(1), "Xã Lục Ngạn", "", "Bắc Ninh", "0912345678"]


def _refused(client, settings, content: bytes, name: str, expected: str) -> None:
    response = upload(client, content, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page, page[page.find("errorlist") - 200 : page.find("errorlist") + 600]
    assert not ImportJob.objects.exists()
    stored = settings.MEDIA_ROOT / "imports"
    assert not stored.exists() or not os.listdir(stored)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([PRODUCER_HEADERS, GOOD_ROW]))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def officer(world, client_for):
    return client_for("province")


def test_a_plain_workbook_is_accepted(officer):
    assert upload(officer, xlsx_bytes([PRODUCER_HEADERS, GOOD_ROW]), "ds.xlsx").status_code == 302
    job = ImportJob.objects.get()
    assert job.total_rows == 1
    assert job.headers == PRODUCER_HEADERS


def test_too_large(officer, settings):
    settings.MAX_IMPORT_BYTES = 1000
    content = csv_bytes([PRODUCER_HEADERS] + [GOOD_ROW] * 50)
    assert len(content) > 1000
    _refused(officer, settings, content, "ds.csv", "giới hạn là")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "ds.xlsx"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "ds.csv"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "ds.xlsx"),
        (b"  <html><body>STT,Ten</body></html>", "ds.csv"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "ds.csv"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "ds.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ds.xlsx"),
    ],
)
def test_foreign_content_under_a_spreadsheet_name(officer, settings, content, name):
    _refused(officer, settings, content, name, "không phải là bảng tính")


def test_zip_renamed_csv_is_refused(officer, settings):
    _refused(officer, settings, xlsx_bytes([PRODUCER_HEADERS, GOOD_ROW]), "ds.csv", "không phải là bảng tính")


def test_wrong_extension(officer, settings):
    _refused(officer, settings, b"STT,Ten\n1,a\n", "ds.txt", "Chỉ nhập được tệp .xlsx và .csv")
    _refused(officer, settings, b"\xd0\xcf\x11\xe0", "ds.xls", "lưu tệp dưới dạng .xlsx")


def test_zip_that_is_not_a_workbook(officer, settings):
    content = _zip({"readme.txt": b"hello", "data.csv": b"a,b\n"})
    _refused(officer, settings, content, "ds.xlsx", "không phải là sổ tính Excel")


def test_broken_zip(officer, settings):
    content = xlsx_bytes([PRODUCER_HEADERS, GOOD_ROW])[:300]
    _refused(officer, settings, content, "ds.xlsx", "không phải là tệp .xlsx hợp lệ")


def test_macro_extension_refused(officer, settings):
    _refused(officer, settings, xlsx_bytes([PRODUCER_HEADERS, GOOD_ROW]), "ds.xlsm", "chứa macro")


def test_vba_project_inside_refused(officer, settings):
    members = _workbook_members()
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 fake vba"
    _refused(officer, settings, _zip(members), "ds.xlsx", "chứa macro")


def test_macro_enabled_content_type_refused(officer, settings):
    members = _workbook_members()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in members["[Content_Types].xml"]
    _refused(officer, settings, _zip(members), "ds.xlsx", "chứa macro")


def test_zip_bomb_by_ratio_refused_before_parsing(officer, settings, monkeypatch):
    members = _workbook_members()
    # 20 MB of one repeated byte compresses about a thousandfold.
    members["xl/worksheets/sheet1.xml"] = b"<" + b" " * 20_000_000 + b">"
    content = _zip(members)
    assert len(content) < settings.MAX_IMPORT_BYTES

    def parse(*args, **kwargs):
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr("openpyxl.load_workbook", parse)
    _refused(officer, settings, content, "ds.xlsx", "bung ra nhiều dữ liệu")


def test_zip_bomb_by_total_size_refused(officer, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 200_000
    members = _workbook_members()
    # Incompressible filler: the ratio stays low, the total is what gives it away.
    members["xl/media/filler.bin"] = os.urandom(250_000)
    _refused(officer, settings, _zip(members), "ds.xlsx", "bung ra nhiều dữ liệu")


def test_too_many_rows(officer, settings):
    settings.IMPORT_MAX_ROWS = 20
    rows = [PRODUCER_HEADERS] + [[i, f"HTX {i}", "HTX", "", "Xã Lục Ngạn"] for i in range(21)]
    _refused(officer, settings, xlsx_bytes(rows), "ds.xlsx", "nhiều hơn 20 dòng")
    _refused(officer, settings, csv_bytes(rows), "ds.csv", "nhiều hơn 20 dòng")


def test_empty_and_headless_files(officer, settings):
    response = upload(officer, b"", "ds.csv")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()
    _refused(officer, settings, csv_bytes([PRODUCER_HEADERS]), "ds.csv", "không có dòng dữ liệu")
    _refused(officer, settings, csv_bytes([[], ["x", "y"]]), "ds.csv", "dòng đầu tiên")


def test_csv_with_nul_bytes_refused(officer, settings):
    content = csv_bytes([PRODUCER_HEADERS, GOOD_ROW]) + b"\x00\x00binary"
    _refused(officer, settings, content, "ds.csv", "NUL")


def test_csv_utf16_refused(officer, settings):
    _refused(officer, settings, "STT\tTên\n1\tHTX\n".encode("utf-16"), "ds.csv", "NUL")


def test_csv_with_control_characters_refused(officer, settings):
    _refused(officer, settings, b"STT,Ten\n1,\x01\x02\x03\x1b[31m\n", "ds.csv", "ký tự điều khiển")


def test_csv_undecodable_refused(officer, settings):
    # Bytes undefined in UTF-8, Windows-1258 and Windows-1252 alike.
    _refused(officer, settings, b"STT,Ten\n1,\x81\x8d\x90\x9d\n", "ds.csv", "bảng mã")


def test_broken_utf8_after_bom_refused(officer, settings):
    _refused(officer, settings, b"\xef\xbb\xbfSTT,Ten\n1,\xff\xfe\n", "ds.csv", "không phải văn bản UTF-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_csv_encodings_accepted(officer, encoding):
    rows = [PRODUCER_HEADERS, GOOD_ROW]
    response = upload(officer, csv_bytes(rows, encoding=encoding), "ds.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.headers == PRODUCER_HEADERS  # Vietnamese headers decoded correctly
    assert job.encoding == encoding


def test_csv_cp1252_fallback(officer):
    content = "STT;Name;Note\n1;Café Hà;x\n".encode("cp1252", errors="replace")
    response = upload(officer, content, "ds.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.encoding in ("cp1252", "cp1258")
    assert job.delimiter == ";"
    assert job.headers == ["STT", "Name", "Note"]


def test_encrypted_zip_member_refused(officer, settings):
    members = _workbook_members()
    content = bytearray(_zip(members))
    # Set the "encrypted" flag on every entry, as a password-protected archive has.
    offset = 0
    while (offset := content.find(b"PK\x01\x02", offset)) != -1:
        content[offset + 8] |= 0x1
        offset += 4
    offset = 0
    while (offset := content.find(b"PK\x03\x04", offset)) != -1:
        content[offset + 6] |= 0x1
        offset += 4
    _refused(officer, settings, bytes(content), "ds.xlsx", "mật khẩu")
