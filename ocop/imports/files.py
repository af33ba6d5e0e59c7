"""Checking uploaded spreadsheets and reading their rows.

Every check that can refuse a file runs before anything is stored, and the ZIP
checks run before openpyxl parses a byte of XML: an .xlsx is a ZIP archive, and
a few kilobytes of archive can claim gigabytes of content.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

# Limits; each can be overridden in settings (tests lower them).
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# A member smaller than this cannot hurt however well it compresses (a 100 kB
# styles.xml of repeated entries may well exceed the ratio); past it the ratio
# counts.
RATIO_FLOOR_BYTES = 256 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_HEADER_LENGTH = 100


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class FileRefused(Exception):
    """The upload cannot be imported; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CheckedFile:
    file_format: str  # "xlsx" | "csv"
    headers: list[str]
    total_rows: int
    sha256: str
    encoding: str = ""
    delimiter: str = ""


# Signatures of things people rename to .xlsx or .csv by mistake (or not).
_FOREIGN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"MZ", "EXE"),
    (b"\x7fELF", "ELF"),
    (b"\xd0\xcf\x11\xe0", "XLS/DOC"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7Z"),
    (b"\x1f\x8b", "GZIP"),
)
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<script", b"<head", b"<body", b"<svg")


def _describe_foreign(head: bytes) -> str | None:
    for signature, name in _FOREIGN_SIGNATURES:
        if head.startswith(signature):
            return name
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(_MARKUP_STARTS):
        return "HTML/XML"
    return None


def check_upload(upload: Any) -> CheckedFile:
    """Refuse anything that is not a plain .xlsx or .csv within the limits; read its header row."""
    name = (getattr(upload, "name", "") or "").lower()
    size = upload.size
    max_bytes = settings.MAX_IMPORT_BYTES
    if size > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1_048_576:.1f}", "limit": f"{max_bytes / 1_048_576:.0f}"}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in ("xlsm", "xltm", "xlam", "xlsb"):
        raise FileRefused(_("Files with macros are refused: save the workbook as a plain .xlsx file."))
    if ext == "xls":
        raise FileRefused(_("The old Excel format (.xls) is not supported: save the file as .xlsx."))
    if ext not in ("xlsx", "csv"):
        raise FileRefused(_("Only .xlsx and .csv files can be imported."))

    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    foreign = _describe_foreign(head)
    if foreign is None and ext == "csv" and head.startswith(b"PK\x03\x04"):
        foreign = "ZIP/XLSX"
    if foreign:
        raise FileRefused(
            _("The file's content is not a spreadsheet (it looks like %(kind)s), whatever its name says.")
            % {"kind": foreign}
        )
    if ext == "xlsx":
        headers, total = _check_xlsx(upload, head)
        return CheckedFile("xlsx", headers, total, digest.hexdigest())
    text, encoding = _decode_csv(upload.read())
    delimiter = _sniff_delimiter(text)
    headers, total = _scan_rows(_csv_rows(text, delimiter))
    return CheckedFile("csv", headers, total, digest.hexdigest(), encoding=encoding, delimiter=delimiter)


# --- xlsx ---------------------------------------------------------------------------------
def _check_xlsx(fh: IO[bytes], head: bytes) -> tuple[list[str], int]:
    if not head.startswith(b"PK\x03\x04"):
        raise FileRefused(_("This is not a valid .xlsx file (an .xlsx file is a ZIP archive)."))
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("This is not a valid .xlsx file (an .xlsx file is a ZIP archive).")) from exc
    with archive:
        _check_archive(archive)
    fh.seek(0)
    return _scan_rows(_xlsx_rows(fh))


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > _limit("IMPORT_MAX_ZIP_MEMBERS", MAX_ZIP_MEMBERS):
        raise FileRefused(_("The workbook holds too many parts to be a spreadsheet."))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("This ZIP archive is not an Excel workbook (.xlsx)."))
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRefused(_("The workbook is encrypted or password-protected: save an unprotected copy."))
    if any(info.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for info in infos):
        raise FileRefused(_("Files with macros are refused: save the workbook as a plain .xlsx file."))
    # The sizes come from the archive's directory. They bound what is really
    # decompressed: Python's zipfile stops at the declared size and checks the
    # CRC, so an archive that lies about a size fails to read instead of
    # inflating further.
    total = sum(info.file_size for info in infos)
    max_total = _limit("IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
    max_ratio = _limit("IMPORT_MAX_COMPRESSION_RATIO", MAX_COMPRESSION_RATIO)
    floor = _limit("IMPORT_RATIO_FLOOR_BYTES", RATIO_FLOOR_BYTES)
    bomb = total > max_total or any(
        info.file_size > floor and info.file_size > max_ratio * max(info.compress_size, 1) for info in infos
    )
    if bomb:
        raise FileRefused(
            _("The workbook expands to far more data than a spreadsheet of this size holds; it is refused.")
        )
    content_types = archive.getinfo("[Content_Types].xml")
    if content_types.file_size > 1_048_576:
        raise FileRefused(_("This ZIP archive is not an Excel workbook (.xlsx)."))
    try:
        types = archive.read(content_types).lower()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise FileRefused(_("This is not a valid .xlsx file (an .xlsx file is a ZIP archive).")) from exc
    if b"macroenabled" in types or b"vbaproject" in types:
        raise FileRefused(_("Files with macros are refused: save the workbook as a plain .xlsx file."))


def _xlsx_rows(fh: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """Rows of the first worksheet as tuples of values; empty rows included, so numbering follows the sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise FileRefused(_("The workbook could not be read: it may be damaged.")) from exc
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        try:
            yield from sheet.iter_rows(values_only=True)
        except FileRefused:
            raise
        except Exception as exc:
            raise FileRefused(_("The workbook could not be read: it may be damaged.")) from exc
    finally:
        workbook.close()


# --- csv ----------------------------------------------------------------------------------
# Letters and tone marks that exist in Windows-1258 but not in Windows-1252: a
# legacy-encoded file containing any of them is Vietnamese.
_VIETNAMESE_MARKERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def _decode_csv(raw: bytes) -> tuple[str, str]:
    if b"\x00" in raw:
        raise FileRefused(_("The CSV file contains binary data (NUL bytes): save it again as “CSV UTF-8”."))
    text, encoding = None, ""
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding or "utf-8")
        encoding = encoding or "utf-8"
    except UnicodeDecodeError:
        if encoding:
            raise FileRefused(_("The CSV file is not valid UTF-8 text: save it again as “CSV UTF-8”.")) from None
        text, encoding = _decode_legacy(raw)
    if any(ch in _CONTROL for ch in text):
        raise FileRefused(_("The CSV file contains binary data (control characters): it is not a text file."))
    return unicodedata.normalize("NFC", text), encoding


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """Windows-1258 (Vietnamese) or Windows-1252, whichever the text supports."""
    candidates: dict[str, str] = {}
    for encoding in ("cp1258", "cp1252"):
        try:
            candidates[encoding] = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    vn = candidates.get("cp1258")
    if vn is not None and any(ch in _VIETNAMESE_MARKERS for ch in vn):
        return vn, "cp1258"
    if "cp1252" in candidates:
        return candidates["cp1252"], "cp1252"
    if vn is not None:
        return vn, "cp1258"
    raise FileRefused(_("The CSV file's text encoding could not be recognised: save it again as “CSV UTF-8”."))


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FileRefused(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


# --- both ---------------------------------------------------------------------------------
def _is_empty(values: Any) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def clean_headers(raw: list[Any]) -> list[str]:
    """Header texts, trimmed; blank ones named after their column, repeated ones numbered."""
    # Trailing blank columns are formatting, not data.
    last = max((i for i, v in enumerate(raw) if v is not None and str(v).strip()), default=-1)
    headers: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(raw[: last + 1], start=1):
        text = " ".join(str(value).split())[:MAX_HEADER_LENGTH] if value is not None else ""
        if not text:
            text = _("Column %(number)s") % {"number": index}
        base, n = text, 2
        while text in seen:
            text = f"{base} ({n})"
            n += 1
        seen.add(text)
        headers.append(text)
    return headers


def _scan_rows(rows: Iterator[Any]) -> tuple[list[str], int]:
    """The header row and the number of non-empty data rows, refusing files over the limits."""
    max_rows = _limit("IMPORT_MAX_ROWS", MAX_ROWS)
    header_row = next(rows, None)
    if header_row is None or _is_empty(header_row):
        raise FileRefused(_("The first row must hold the column headers, but it is empty."))
    headers = clean_headers(list(header_row))
    if len(headers) > _limit("IMPORT_MAX_COLUMNS", MAX_COLUMNS):
        raise FileRefused(_("The sheet has too many columns (%(count)s).") % {"count": len(headers)})
    total = 0
    for row in rows:
        if _is_empty(row):
            continue
        total += 1
        if total > max_rows:
            raise FileRefused(
                _("The sheet has more than %(limit)s rows: split it into smaller files.") % {"limit": max_rows}
            )
    if total == 0:
        raise FileRefused(_("The sheet has headers but no data rows."))
    return headers, total


def iter_data_rows(
    fh: IO[bytes], file_format: str, width: int, encoding: str = "", delimiter: str = ""
) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the spreadsheet shows it, values padded to `width`) for each non-empty data row.

    The header row is skipped: headers are read once at upload and kept on the job.
    """
    if file_format == "xlsx":
        rows: Iterator[Any] = _xlsx_rows(fh)
    else:
        text = unicodedata.normalize("NFC", fh.read().decode(encoding or "utf-8"))
        rows = _csv_rows(text, delimiter or ",")
    next(rows, None)
    for number, row in enumerate(rows, start=2):
        if _is_empty(row):
            continue
        values = list(row[:width])
        values.extend([None] * (width - len(values)))
        yield number, values
