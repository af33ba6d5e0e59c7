"""Files for upload tests, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(size: tuple[int, int] = (120, 80), *, gps: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (180, 40, 40))
    # A distinct left half so orientation changes are visible in the pixels.
    image.paste((20, 160, 20), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (21.0, 22.0, 33.0), 3: "E", 4: (106.0, 37.0, 12.0)}
        exif[0x010F] = "CameraMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"private comment", xmp=b"<x:xmpmeta>private xmp</x:xmpmeta>")
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 128).save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares huge dimensions (a decompression bomb's signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_bytes(marker: str = "") -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + marker.encode() + b"\ntrailer<<>>\n%%EOF\n"


_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"
_XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _package(main_part: str, main_type: str, extra: dict[str, bytes] | None = None) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr(main_part, "<document/>")
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def docx_bytes() -> bytes:
    return _package("word/document.xml", _DOCX_TYPE)


def docm_bytes() -> bytes:
    return _package("word/document.xml", _DOCM_TYPE, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Danh sách lao động"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsm_bytes() -> bytes:
    return _package("xl/workbook.xml", _XLSM_TYPE, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("readme.txt", "hello")
    return out.getvalue()


EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode."
)
