"""Print-ready PDF sheets of stamps: one label per stamp, QR code as vectors, Vietnamese text.

The layout (page and label size in millimetres, columns, rows, margins, gaps)
comes from `Layout`, validated by the form on the batch page. Each label has
the QR code on the left (with its 4-module quiet zone inside the square) and,
when the label is wide enough, the product name, the lot, the star rating and
the stamp's serial and number on the right, in DejaVu Sans embedded from
ocop/front/static/ocop/fonts (the PDF base fonts have no Vietnamese letters).

Speed (a million labels are printed in parts of settings.STAMP_PDF_MAX_PER_FILE):
the QR matrix comes from `ocop.stamps.qr.matrix` and is written straight
into the page as PDF operators, one filled rectangle per horizontal run of dark
modules in module units under one transformation, instead of one reportlab
call per module; the text that is the same on every label is drawn once into a
form XObject and placed by reference.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import IO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ocop.stamps import qr
from ocop.stamps.actions import PrintedStamp

FONT = "OCOPStampSans"
FONT_BOLD = "OCOPStampSans-Bold"
QUIET = 4  # modules of quiet zone around each code (ISO/IEC 18004)
_NUM = [str(i) for i in range(200)]  # module coordinates as text, formatted once (version 40 is 177 wide)


@cache
def _register_fonts() -> None:
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = finders.find(f"ocop/fonts/{filename}")
        if path is None:  # pragma: no cover - the font ships with ocop/front
            raise FileNotFoundError(f"ocop/fonts/{filename} not found among the static files")
        pdfmetrics.registerFont(TTFont(name, path))


@dataclass(frozen=True)
class Layout:
    """A sheet of labels. The default fits A4 sticker sheets of 4 × 11 labels of 48 × 25 mm."""

    page_width_mm: float = 210
    page_height_mm: float = 297
    label_width_mm: float = 48
    label_height_mm: float = 25
    columns: int = 4
    rows: int = 11
    margin_left_mm: float = 9
    margin_top_mm: float = 11
    gap_x_mm: float = 0
    gap_y_mm: float = 0
    padding_mm: float = 1

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def problems(self) -> list[str]:
        """What makes this layout unusable, in words for the person who chose it (empty when fine)."""
        found = []
        width = self.margin_left_mm + self.columns * self.label_width_mm + (self.columns - 1) * self.gap_x_mm
        height = self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        if width > self.page_width_mm + 0.01:
            found.append(
                _("The labels are %(need).1f mm wide in all, more than the page's %(page).1f mm.")
                % {"need": width, "page": self.page_width_mm}
            )
        if height > self.page_height_mm + 0.01:
            found.append(
                _("The labels are %(need).1f mm high in all, more than the page's %(page).1f mm.")
                % {"need": height, "page": self.page_height_mm}
            )
        if min(self.label_width_mm, self.label_height_mm) - 2 * self.padding_mm < 10:
            found.append(_("A label needs room for a QR code of at least 10 mm."))
        return found


@dataclass(frozen=True)
class LabelText:
    """What is printed beside every QR code of a batch."""

    product: str
    lot: str
    star: str


def _nfc(text: object) -> str:
    # Names typed with combining marks (NFD) would print their marks apart.
    return unicodedata.normalize("NFC", str(text))


def qr_operators(matrix: Iterable[bytes], x: float, y_top: float, module: float) -> str:
    """PDF operators filling the dark modules of `matrix`, its top-left module at (x, y_top) in points.

    Module units under one `cm` transformation (y pointing down), one `re` per
    horizontal run of dark modules: a version-4 code is about 300 rectangles.
    """
    ops = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {x:.3f} {y_top:.3f} cm"]
    extend = ops.extend
    finditer = qr.DARK_RUN.finditer
    for row_index, row in enumerate(matrix):
        r = _NUM[row_index]
        extend([f"{_NUM[s]} {r} {_NUM[e - s]} 1 re" for s, e in (run.span() for run in finditer(row))])
    ops.append("f Q")
    return "\n".join(ops)


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The font size (at most `size`) at which `text` fits in `width` points."""
    natural = pdfmetrics.stringWidth(text, font, size)
    return size if natural <= width else max(3.0, size * width / natural)


def _label_form(canvas: Canvas, layout: Layout, text: LabelText, text_x: float, text_w: float) -> str:
    """Draw the text shared by every label once, as a form XObject; its name.

    Everything is kept inside the text column: a character running into the
    next label's quiet zone can make its QR code unreadable.
    """
    name = "stamplabel"
    height = layout.label_height_mm * mm
    pad = layout.padding_mm * mm
    canvas.beginForm(name)
    canvas.setFillGray(0)
    y = height - pad - 6.5
    canvas.setFont(FONT_BOLD, 6.5)
    lines = simpleSplit(_nfc(text.product), FONT_BOLD, 6.5, text_w)
    if len(lines) > 2:
        lines = [lines[0], lines[1].rstrip() + "…"]
    for line in lines:
        canvas.setFont(FONT_BOLD, _fit(line, FONT_BOLD, 6.5, text_w))
        canvas.drawString(text_x, y, line)
        y -= 7.5
    for line in (_nfc(_("Lot: %(lot)s") % {"lot": text.lot}), _nfc(text.star)):
        if line:
            canvas.setFont(FONT, _fit(line, FONT, 6, text_w))
            canvas.drawString(text_x, y, line)
            y -= 7
    hint = _nfc(_("Scan to check the product"))
    canvas.setFont(FONT, _fit(hint, FONT, 5, text_w))
    canvas.drawString(text_x, pad + 1, hint)
    canvas.endForm()
    return name


def render(
    stamps: Iterable[PrintedStamp], text: LabelText, layout: Layout | None = None, out: IO[bytes] | None = None
) -> bytes | None:
    """Write the sheets for `stamps` (in order) to `out`, or return the PDF bytes when `out` is None."""
    _register_fonts()
    layout = layout or Layout()
    target = out or io.BytesIO()
    page_w, page_h = layout.page_width_mm * mm, layout.page_height_mm * mm
    canvas = Canvas(target, pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(_nfc(f"{text.product} – {text.lot}"))
    canvas.setCreator("OCOP")
    label_w, label_h = layout.label_width_mm * mm, layout.label_height_mm * mm
    pad = layout.padding_mm * mm
    qr_size = min(label_h, label_w) - 2 * pad
    text_x = pad + qr_size + 1 * mm
    text_w = label_w - text_x - pad
    has_text = text_w >= 12 * mm
    form = _label_form(canvas, layout, text, text_x, text_w) if has_text else ""
    # Serials are printed in two halves of ten characters; "W" is the widest.
    serial_size = _fit("W" * 10, FONT, 6, text_w)
    step_x = label_w + layout.gap_x_mm * mm
    step_y = label_h + layout.gap_y_mm * mm
    left = layout.margin_left_mm * mm
    top = page_h - layout.margin_top_mm * mm
    per_page = layout.per_page
    error = settings.STAMP_QR_ERROR
    index = 0
    for stamp in stamps:
        slot = index % per_page
        if slot == 0 and index:
            canvas.showPage()
        row, col = divmod(slot, layout.columns)
        x0 = left + col * step_x
        y_top = top - row * step_y
        matrix = qr.matrix(stamp.uri, error)
        module = qr_size / (len(matrix) + 2 * QUIET)
        canvas.addLiteral(qr_operators(matrix, x0 + pad + QUIET * module, y_top - pad - QUIET * module, module))
        if has_text:
            y0 = y_top - label_h
            canvas.saveState()
            canvas.translate(x0, y0)
            canvas.doForm(form)
            canvas.setFont(FONT, serial_size)
            canvas.drawString(text_x, pad + 8, stamp.serial[10:])
            canvas.drawString(text_x, pad + 8 + serial_size + 1, stamp.serial[:10])
            canvas.drawString(text_x, pad + 8 + 2 * (serial_size + 1), f"#{stamp.seq}")
            canvas.restoreState()
        index += 1
    if index == 0:
        canvas.drawString(left, top - 20, _("No stamps in this range."))
    canvas.showPage()
    # Compressed streams stay binary: reportlab's ASCII85 encoder is pure Python
    # without its optional C accelerator and would take a third of the time.
    # (Read when the document is written; restored at once.)
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous
    return target.getvalue() if out is None else None
