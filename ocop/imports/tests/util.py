"""Building spreadsheets for the import tests (no binary fixtures: every file is made here)."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ocop.imports.models import ImportJob
from ocop.registry.validators import tax_code_check_digit

PRODUCER_HEADERS = ["STT", "Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường", "Huyện", "Tỉnh", "Điện thoại"]
PRODUCT_HEADERS = [
    "STT",
    "Mã số thuế",
    "Tên chủ thể",
    "Tên sản phẩm",
    "Bộ sản phẩm",
    "Hạng sao",
    "Điểm",
    "Số quyết định",
    "Ngày cấp",
]


def tax_code(n: int) -> str:
    """A valid 10-digit tax code (check digit computed), distinct for each n."""
    while True:
        body = f"{4_600_000_00 + n:09d}"
        digit = tax_code_check_digit(body)
        if digit is not None:
            return body + str(digit)
        n += 100_000


def bad_check_digit(code: str) -> str:
    return code[:9] + str((int(code[9]) + 1) % 10)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    if encoding == "cp1258":
        return to_cp1258(buffer.getvalue())
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, name: str, kind: str = "producers", province=None):
    data = {"file": SimpleUploadedFile(name, content), "kind": kind}
    if province is not None:
        data["province"] = province.pk
    return client.post(reverse("imports:upload"), data)


def check(client, job: ImportJob, mapping: dict[str, str] | None = None):
    """Submit the column mapping (the guessed one unless given): the dry run runs inline."""
    mapping = job.mapping if mapping is None else mapping
    response = client.post(reverse("imports:mapping", args=[job.pk]), mapping)
    job.refresh_from_db()
    return response


def upload_and_check(client, content: bytes, name: str, kind: str = "producers", province=None) -> ImportJob:
    response = upload(client, content, name, kind, province)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    check(client, job)
    return job


def confirm(client, job: ImportJob):
    response = client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    return response
