"""The list of OCOP products as offices file it: Excel (.xlsx) with a header block, and CSV.

Both read the same rows as the page (`figures.list_entries` then `details`),
fetched in chunks, so a national export of 20,000 rows stays well inside its
time budget. Cells a spreadsheet would run as a formula are neutralised as the
registry export does it (`ocop.imports.exporter`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from ocop.accounts.models import Role
from ocop.geo.models import UnitMap
from ocop.imports.exporter import _csv_value, _dangerous
from ocop.lib import clock
from ocop.registry.models import ProducerKind
from ocop.stats.figures import ExportRow, all_details
from ocop.stats.filters import StatsFilter


def headers() -> list[str]:
    return [
        _("Serial no."),
        _("Product name"),
        _("OCOP product code"),
        _("Producer"),
        _("Type of producer"),
        _("Commune"),
        _("District / former unit"),
        _("Product set"),
        _("Rating"),
        _("Certificate number / decision"),
        _("Issued on"),
        _("Expires on"),
        _("Status"),
    ]


def scope_name(user: Any, f: StatsFilter) -> str:
    """The area a report covers, for its header."""
    if f.area is not None:
        return f.area.full_name()
    if user.role == Role.PROVINCE and user.province_id:
        return user.province.name
    if user.role == Role.COMMUNE and user.commune_id:
        return user.commune.full_name()
    return _("Whole country")


def row_values(row: ExportRow, kinds: dict[str, str]) -> list[Any]:
    v = row.values
    former = ""
    if v["product__producer__commune__map"] == UnitMap.LEGACY:
        parts = [v["product__producer__commune__name"]]
        # A legacy commune's parent is its district (or the province itself for a few units).
        if v["product__producer__commune__parent_id"] != v["product__producer__commune__province_id"]:
            parts.append(v["product__producer__commune__parent__name"])
        parts.append(v["product__producer__commune__province__name"])
        former = ", ".join(p for p in parts if p)
    reference = " / ".join(x for x in (v["number"], v["decision_number"]) if x)
    kind = v["product__producer__kind"]
    return [
        row.number,
        v["product__name"],
        v["product__code"] or "",
        v["product__producer__name"],
        kinds.get(kind, kind),
        v["product__producer__current_commune__name"] or v["product__producer__commune__name"],
        former,
        f"{v['product__product_set__number']}. {v['product__product_set__name']}",
        v["star"],
        reference,
        v["issued_on"],
        v["expires_on"],
        row.status,
    ]


def rows(user: Any, f: StatsFilter) -> Iterator[list[Any]]:
    kinds = {value: str(label) for value, label in ProducerKind.choices}
    for row in all_details(user, f):
        yield row_values(row, kinds)


def header_block(user: Any, f: StatsFilter) -> list[list[str]]:
    lines = [
        [_("LIST OF OCOP PRODUCTS")],
        [f"{_('Area')}: {scope_name(user, f)}"],
        *[[f"{label}: {value}"] for label, value in f.describe()],
        [f"{_('Exported on')}: {clock.today().strftime('%d/%m/%Y')}"],
    ]
    return lines


def write_xlsx(user: Any, f: StatsFilter) -> tuple[bytes, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("OCOP products")[:31])
    widths = (6, 40, 18, 36, 24, 24, 40, 36, 8, 30, 12, 12, 18)
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    bold = Font(bold=True)
    title = Font(bold=True, size=14)
    for i, (text,) in enumerate(header_block(user, f)):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = title if i == 0 else bold
        sheet.append([cell])
    sheet.append([])
    head = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        head.append(cell)
    sheet.append(head)
    count = 0
    for values in rows(user, f):
        out: list[Any] = []
        for value in values:
            if value is None or value == "":
                out.append(None)
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                out.append(cell)
            elif isinstance(value, int):
                out.append(value)
            elif _dangerous(str(value)):
                # Text, never a formula (a plain string starting with "=" would be written as one).
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"
                cell.quotePrefix = True
                out.append(cell)
            else:
                out.append(str(value))
        sheet.append(out)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(user: Any, f: StatsFilter) -> Iterator[bytes]:
    """The CSV, line by line (UTF-8 with a byte-order mark so that Excel reads Vietnamese right)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff".encode()
    yield writer.writerow(headers()).encode("utf-8")
    for values in rows(user, f):
        yield writer.writerow([_csv_value(v) for v in values]).encode("utf-8")
