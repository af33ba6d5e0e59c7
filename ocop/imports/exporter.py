"""Exporting the registry to .xlsx or .csv in the layout the import reads.

An exported file imports back unchanged: the headers are the import's own
(see `ocop.imports.fields`), communes are written with the district and
province they resolve under, choices with the words the import knows.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) are neutralised: in CSV with a leading apostrophe (which the
import removes again), in .xlsx by storing them as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from ocop.certificates.models import Certificate
from ocop.geo.models import AdminUnit, UnitMap
from ocop.imports.cells import FORMULA_STARTS, GENDER_WORDS, KIND_WORDS, PRODUCER_STATUS_WORDS, PRODUCT_STATUS_WORDS
from ocop.imports.cells import export_word as word
from ocop.imports.fields import PRODUCER_FIELDS, PRODUCT_FIELDS
from ocop.imports.models import ImportKind
from ocop.registry.models import Producer, Product

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _place(commune: AdminUnit, current: AdminUnit | None) -> list[str]:
    """Commune, district, province and present-day commune, as the import resolves them."""
    if commune.map == UnitMap.CURRENT:
        province = commune.province.name if commune.province_id else ""
        return [commune.name, "", province, ""]
    district = commune.parent.name if commune.parent_id else ""
    province = commune.province.name if commune.province_id else ""
    return [commune.name, district, province, current.name if current else ""]


_PLACE_RELATED = ("commune__parent", "commune__province", "current_commune")


def producer_rows(producers: QuerySet[Producer]) -> Iterator[list[Any]]:
    for p in producers.select_related(*_PLACE_RELATED).order_by("name", "pk").iterator(chunk_size=1000):
        commune, district, province, current = _place(p.commune, p.current_commune)
        yield [
            p.name,
            word(KIND_WORDS, p.kind),
            p.tax_code,
            commune,
            district,
            province,
            current,
            p.street,
            p.phone,
            p.email,
            p.website,
            p.rep_name,
            p.rep_position,
            word(GENDER_WORDS, p.rep_gender) if p.rep_gender else "",
            p.rep_ethnicity,
            p.rep_id_number,
            word(PRODUCER_STATUS_WORDS, p.status),
        ]


def product_rows(products: QuerySet[Product]) -> Iterator[list[Any]]:
    """One row per certificate (a product's rating history), or one row for a product without any."""
    related = [f"producer__{name}" for name in _PLACE_RELATED]
    queryset = (
        products.select_related("producer", "product_set", *related)
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.order_by("issued_on", "pk")))
        .order_by("producer__name", "name", "pk")
    )
    for product in queryset.iterator(chunk_size=1000):
        p = product.producer
        commune, district, province, current = _place(p.commune, p.current_commune)
        head = [
            p.tax_code,
            p.name,
            word(KIND_WORDS, p.kind),
            commune,
            district,
            province,
            current,
            product.name,
            str(product.product_set),
            product.code or "",
            product.gtin,
            product.description,
            word(PRODUCT_STATUS_WORDS, product.status),
        ]
        certificates = list(product.certificates.all())
        if not certificates:
            yield head + [""] * 8
        for c in certificates:
            yield head + [
                c.star,
                c.score,
                c.number,
                c.decision_number,
                c.decision_date,
                c.issuing_body,
                c.issued_on,
                c.expires_on,
            ]


def headers_for(kind: str) -> list[str]:
    return [f.header for f in (PRODUCER_FIELDS if kind == ImportKind.PRODUCERS else PRODUCT_FIELDS)]


def _dangerous(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return f"'{text}" if _dangerous(text) else text


def write_csv(headers: list[str], rows: Iterator[list[Any]]) -> tuple[bytes, int]:
    # UTF-8 with a byte-order mark: Excel then opens Vietnamese text correctly.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def write_xlsx(headers: list[str], rows: Iterator[list[Any]], title: str) -> tuple[bytes, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        out: list[Any] = []
        for value in row:
            if value is None or value == "":
                out.append(None)
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                out.append(cell)
            elif isinstance(value, (int, Decimal)):
                out.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=str(value))
                # Always text, never a formula, whatever the first character;
                # the quote prefix also keeps Excel from re-reading it on edit.
                cell.data_type = "s"
                if _dangerous(cell.value):
                    cell.quotePrefix = True
                out.append(cell)
        sheet.append(out)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def export(kind: str, queryset: QuerySet[Any], file_format: str) -> tuple[bytes, int]:
    """The file's bytes and the number of data rows."""
    rows = producer_rows(queryset) if kind == ImportKind.PRODUCERS else product_rows(queryset)
    headers = headers_for(kind)
    if file_format == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, "OCOP")
