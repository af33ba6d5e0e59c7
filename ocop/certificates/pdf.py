"""The printable OCOP certificate: one A4 landscape page, Vietnamese with English beneath.

Text is set in DejaVu Sans, embedded from the font files the application
ships (the PDF base fonts such as Helvetica have no Vietnamese letters). The
QR code is drawn as vector squares, so it stays sharp at any print size; it
holds the address of the public verification page. A copy printed after the
certificate was revoked or expired carries that status across the page: a
printout never outlives the record.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from functools import cache

import segno
from django.contrib.staticfiles import finders
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ocop.certificates.models import Certificate, CertificateStatus
from ocop.lib import clock

FONT = "OCOPSans"
FONT_BOLD = "OCOPSans-Bold"
GREEN = HexColor("#0b5d3b")
GOLD = HexColor("#b8860b")
INK = HexColor("#1b1f1d")
MUTED = HexColor("#55605a")
RED = HexColor("#a4161a")


@cache
def _register_fonts() -> None:
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = finders.find(f"ocop/fonts/{filename}")
        if path is None:  # pragma: no cover - the font ships with ocop/front
            raise FileNotFoundError(f"ocop/fonts/{filename} not found among the static files")
        pdfmetrics.registerFont(TTFont(name, path))


def _nfc(text: object) -> str:
    # Names typed with combining marks (NFD) would print their marks apart.
    return unicodedata.normalize("NFC", str(text))


def _both(msgid: str) -> tuple[str, str]:
    """A label in Vietnamese (the certificate's language) and in English."""
    with translation.override("vi"):
        vi = _(msgid)
    with translation.override("en"):
        en = _(msgid)
    return vi, en


def _day(day: dt.date | None) -> str:
    return date_format(day, "d/m/Y") if day else "—"


def _star_path(canvas: Canvas, cx: float, cy: float, radius: float) -> object:
    path = canvas.beginPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.42
        angle = math.pi / 2 + i * math.pi / 5
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if i == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    return path


def draw_stars(canvas: Canvas, count: int, cx: float, cy: float, radius: float = 14) -> None:
    """`count` gold stars out of five, centred on (cx, cy); the rest outlined."""
    gap = radius * 2.5
    left = cx - gap * 2
    canvas.saveState()
    canvas.setLineWidth(1)
    canvas.setStrokeColor(GOLD)
    for i in range(5):
        canvas.setFillColor(GOLD if i < count else Color(1, 1, 1))
        canvas.drawPath(_star_path(canvas, left + i * gap, cy, radius), stroke=1, fill=1)
    canvas.restoreState()


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of `data` as vector squares, with its quiet zone, in a `size`-point square at (x, y)."""
    qr = segno.make(data, error="m", micro=False)
    border = 4
    matrix = qr.matrix
    modules = len(matrix) + 2 * border
    unit = size / modules
    canvas.saveState()
    canvas.setFillColor(Color(1, 1, 1))
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(Color(0, 0, 0))
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border + 1) * unit
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                # One rectangle per run of dark modules; a hair wider so
                # neighbouring runs never leave a white seam when rasterised.
                canvas.rect(
                    x + (start + border) * unit, top, (col - start) * unit + 0.01, unit + 0.01, stroke=0, fill=1
                )
            else:
                col += 1
    canvas.restoreState()


def _centered(canvas: Canvas, text: str, y: float, font: str, size: float, color: Color = INK) -> None:
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    canvas.drawCentredString(A4[1] / 2, y, _nfc(text))


def _row(canvas: Canvas, label: str, value: str, x: float, y: float, width: float) -> float:
    """A label (Vietnamese / English) and its value; returns the y below it."""
    vi, en = _both(label)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    canvas.drawString(x, y + 11, _nfc(en))
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 10.5)
    canvas.drawString(x, y, _nfc(vi) + ":")
    lines = simpleSplit(_nfc(value), FONT_BOLD, 12, width - 150) or ["—"]
    canvas.setFont(FONT_BOLD, 12)
    for i, line in enumerate(lines[:3]):
        canvas.drawString(x + 150, y - i * 15, line)
    return y - 30 - 15 * (min(len(lines), 3) - 1)


def render_certificate(certificate: Certificate, verify_url: str, *, today: dt.date | None = None) -> bytes:
    """The certificate as PDF bytes. `verify_url` is the absolute address the QR code holds."""
    _register_fonts()
    today = today or clock.today()
    product = certificate.product
    producer = product.producer
    status = certificate.status_on(today)
    width, height = landscape(A4)
    buffer = io.BytesIO()
    # invariant: the same certificate gives the same bytes (no creation time, no random ids).
    canvas = Canvas(
        buffer, pagesize=(width, height), invariant=1, pageCompression=1, initialFontName=FONT, initialFontSize=10
    )
    title = _both(gettext_noop("OCOP certificate"))[0]
    canvas.setTitle(_nfc(f"{title} {certificate.number}"))
    canvas.setAuthor(_nfc(certificate.issuing_body or "OCOP"))
    canvas.setSubject(_nfc(product.name))

    # Frame.
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(4)
    canvas.rect(18, 18, width - 36, height - 36)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.rect(28, 28, width - 56, height - 56)

    # Heading: the issuing body on the left, the national motto on the right.
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 10)
    for i, line in enumerate(simpleSplit(_nfc(certificate.issuing_body or "").upper(), FONT_BOLD, 10, 300)[:2]):
        canvas.drawCentredString(200, height - 60 - i * 13, line)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawCentredString(width - 230, height - 60, _nfc(_both(gettext_noop("SOCIALIST REPUBLIC OF VIET NAM"))[0]))
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(
        width - 230, height - 74, _nfc(_both(gettext_noop("Independence – Freedom – Happiness"))[0])
    )

    vi, en = _both(gettext_noop("OCOP PRODUCT CERTIFICATE"))
    _centered(canvas, vi, height - 125, FONT_BOLD, 26, GREEN)
    _centered(canvas, en, height - 143, FONT, 11, MUTED)
    # The product's name on one line: long names are set smaller rather than cut.
    name, size = _nfc(product.name), 18.0
    while size > 9 and pdfmetrics.stringWidth(name, FONT_BOLD, size) > width - 120:
        size -= 0.5
    _centered(canvas, name, height - 175, FONT_BOLD, size)
    draw_stars(canvas, certificate.star, width / 2, height - 207)
    vi_star = _both(gettext_noop("%(n)s-star OCOP product"))
    _centered(canvas, vi_star[0] % {"n": certificate.star}, height - 235, FONT, 11)

    left, y, column = 70, height - 275, width - 70 - 260
    place = ", ".join(
        _nfc(unit.name)
        for unit in (producer.current_commune or producer.commune, producer.province)
        if unit is not None
    )
    y = _row(canvas, gettext_noop("Producer"), f"{producer.name} — {place}", left, y, column)
    y = _row(canvas, gettext_noop("Certificate number"), certificate.number or str(certificate.pk), left, y, column)
    decision = certificate.decision_number or "—"
    if certificate.decision_date:
        decision = f"{decision} ({_day(certificate.decision_date)})"
    y = _row(canvas, gettext_noop("Recognition decision"), decision, left, y, column)
    y = _row(canvas, gettext_noop("Issued by"), certificate.issuing_body or "—", left, y, column)
    _row(
        canvas,
        gettext_noop("Period of validity"),
        f"{_day(certificate.issued_on)} – {_day(certificate.expires_on)}",
        left,
        y,
        column,
    )

    # QR code and its caption.
    qr_size = 150
    qr_x, qr_y = width - 70 - qr_size, 70
    draw_qr(canvas, verify_url, qr_x, qr_y, qr_size)
    vi, en = _both(gettext_noop("Scan to check that this certificate is in force"))
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 8.5)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 12, _nfc(vi))
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 7.5)
    canvas.drawCentredString(qr_x + qr_size / 2, qr_y - 23, _nfc(en))

    # Footer: the status on the day of printing.
    with translation.override("vi"):
        status_vi = str(CertificateStatus(status).label)
        printed = _("Printed on %(date)s; status on that day: %(status)s.") % {"date": _day(today), "status": status_vi}
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(left, 44, _nfc(printed))
    canvas.drawString(left, 34, verify_url)

    if status in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
        canvas.saveState()
        canvas.translate(width / 2 - 60, height / 2 - 40)
        canvas.rotate(24)
        canvas.setFillColor(Color(RED.red, RED.green, RED.blue, alpha=0.55))
        canvas.setFont(FONT_BOLD, 54)
        canvas.drawCentredString(0, 0, _nfc(status_vi.upper()))
        canvas.restoreState()

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
