"""Benchmark of issuing a million stamps and printing them as PDF sheets.

In a throw-away SQLite database (the platform's own pragmas: WAL, synchronous
NORMAL): a verified producer, a product with a GTIN and a 4★ certificate in
force, a lot of 1,000,000 packages.

1. Issuing: `stamps.actions.issue_batch()` creates the batch of 1,000,000
   stamps (the task queue is a dummy one, so nothing runs yet); then the
   background task `stamps.tasks.generate_batch` is called directly, as the
   worker would: serials from `secrets`, the rows written in chunks through
   Django's connection, progress reports to the cache, the SHA-256 of the
   serials, one audit event, one transaction. Baseline, in the same run: the
   same rows (read back from the table) inserted by one `sqlite3.executemany`
   into a bare table with the same columns and indexes in a fresh database file
   with the same pragmas. Also shown alone: drawing a million serials.
2. PDF sheets: `stamps.pdf.render()` on the first stamps of that batch (default
   layout, A4 sheets of 4 × 11 labels, the label text in DejaVu Sans), against
   the same labels drawn with reportlab's own QR widget
   (reportlab.graphics.barcode.qr.QrCodeWidget) in place of our vector QR. The
   widget takes about 25 ms a code, so the side-by-side comparison is on
   WIDGET_STAMPS stamps (whole pages); ours is also timed on PDF_STAMPS.

Prints the times, stamps per second and the ratios; asserts nothing about time.
"""

from __future__ import annotations

import io
import re
import sqlite3
import sys
import time
from pathlib import Path

from throwaway import cleanup, setup

STAMPS = 1_000_000
PDF_STAMPS = 2_000
WIDGET_STAMPS = 440  # ten pages of the default layout


def _line(label: str, value: str) -> None:
    print(f"{label:<52} {value}", flush=True)


def bench_issue(tmp: Path):  # type: ignore[no-untyped-def]
    from django.db import connection
    from stampdata import certified_lot

    from ocop.stamps import actions, codes
    from ocop.stamps.models import BatchStatus, StampBatch
    from ocop.stamps.tasks import generate_batch

    user, lot = certified_lot(STAMPS)
    batch = actions.issue_batch(lot, count=STAMPS, signed=False, by=user)
    assert batch.status == BatchStatus.GENERATING, batch.status

    start = time.perf_counter()
    generate_batch.call(batch.pk)
    real = time.perf_counter() - start
    batch = StampBatch.objects.select_related("lot__product").get(pk=batch.pk)
    assert batch.status == BatchStatus.READY, batch.error
    _line(f"issue {STAMPS:,} stamps (generate_batch task)", f"{real:8.2f} s  ({STAMPS / real:,.0f} stamps/s)")

    # The same rows, in issue order, and the table's own definition without its foreign key.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT batch_id, seq, serial, state FROM stamps_stamp WHERE batch_id = %s ORDER BY seq", [batch.pk]
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'stamps_stamp' AND sql IS NOT NULL")
        ddl = [row[0] for row in cursor.fetchall()]
    assert len(rows) == STAMPS
    ddl = [re.sub(r'\s+REFERENCES\s+"[^"]+"\s*\("id"\)\s*DEFERRABLE INITIALLY DEFERRED', "", sql) for sql in ddl]

    raw_db = sqlite3.connect(tmp / "raw.sqlite3", isolation_level=None)
    raw_db.execute("PRAGMA journal_mode=WAL")
    raw_db.execute("PRAGMA synchronous=NORMAL")
    for sql in ddl:
        raw_db.execute(sql)
    start = time.perf_counter()
    raw_db.execute("BEGIN IMMEDIATE")
    raw_db.executemany("INSERT INTO stamps_stamp (batch_id, seq, serial, state, reason) VALUES (?, ?, ?, ?, '')", rows)
    raw_db.execute("COMMIT")
    raw = time.perf_counter() - start
    assert raw_db.execute("SELECT count(*) FROM stamps_stamp").fetchone()[0] == STAMPS
    raw_db.close()
    _line("baseline: sqlite3 executemany, same rows", f"{raw:8.2f} s  ({STAMPS / raw:,.0f} rows/s)")

    start = time.perf_counter()
    codes.new_serials(STAMPS)
    serials = time.perf_counter() - start
    _line(f"  drawing {STAMPS:,} serials alone (codes.new_serials)", f"{serials:8.2f} s")
    _line("issuing / baseline", f"{real / raw:8.2f} x   (target <= 3 x, < 30 s)")
    return batch


def render_with_widget(stamps, text, layout) -> bytes:  # type: ignore[no-untyped-def]
    """The labels of `stamps.pdf.render()`, each QR code drawn by reportlab's QrCodeWidget instead."""
    from django.conf import settings
    from reportlab import rl_config
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from ocop.stamps import pdf

    pdf._register_fonts()
    target = io.BytesIO()
    page_w, page_h = layout.page_width_mm * mm, layout.page_height_mm * mm
    canvas = Canvas(target, pagesize=(page_w, page_h), pageCompression=1)
    label_w, label_h = layout.label_width_mm * mm, layout.label_height_mm * mm
    pad = layout.padding_mm * mm
    qr_size = min(label_h, label_w) - 2 * pad
    text_x = pad + qr_size + 1 * mm
    text_w = label_w - text_x - pad
    form = pdf._label_form(canvas, layout, text, text_x, text_w)
    serial_size = pdf._fit("W" * 10, pdf.FONT, 6, text_w)
    left, top = layout.margin_left_mm * mm, page_h - layout.margin_top_mm * mm
    for index, stamp in enumerate(stamps):
        slot = index % layout.per_page
        if slot == 0 and index:
            canvas.showPage()
        row, col = divmod(slot, layout.columns)
        x0 = left + col * (label_w + layout.gap_x_mm * mm)
        y_top = top - row * (label_h + layout.gap_y_mm * mm)
        widget = QrCodeWidget(stamp.uri, barLevel=settings.STAMP_QR_ERROR, barBorder=pdf.QUIET)
        x1, y1, x2, y2 = widget.getBounds()
        drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x2 - x1), 0, 0, qr_size / (y2 - y1), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, x0 + pad, y_top - pad - qr_size)
        canvas.saveState()
        canvas.translate(x0, y_top - label_h)
        canvas.doForm(form)
        canvas.setFont(pdf.FONT, serial_size)
        canvas.drawString(text_x, pad + 8, stamp.serial[10:])
        canvas.drawString(text_x, pad + 8 + serial_size + 1, stamp.serial[:10])
        canvas.drawString(text_x, pad + 8 + 2 * (serial_size + 1), f"#{stamp.seq}")
        canvas.restoreState()
    canvas.showPage()
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous
    return target.getvalue()


def bench_pdf(batch) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    from ocop.stamps import actions, pdf, qr

    text = pdf.LabelText(product=batch.lot.product.name, lot=batch.lot.number, star="OCOP ★★★★")
    layout = pdf.Layout()
    stamps = list(actions.printed_stamps(batch, 1, PDF_STAMPS))
    version = qr.version(stamps[0].uri, settings.STAMP_QR_ERROR)
    print(f"\nPDF sheets ({layout.columns} × {layout.rows} labels a page, QR version {version}: {stamps[0].uri})")
    pdf.render(stamps[:44], text, layout)  # fonts registered, QR plans cached: as in a running server

    start = time.perf_counter()
    content = pdf.render(actions.printed_stamps(batch, 1, PDF_STAMPS), text, layout)
    whole = time.perf_counter() - start
    _line(
        f"stamps.pdf.render, {PDF_STAMPS:,} stamps read from the table",
        f"{whole:8.2f} s  {PDF_STAMPS / whole:8,.0f} stamps/s  ({len(content) / 1e6:.1f} MB)",
    )
    start = time.perf_counter()
    pdf.render(stamps, text, layout)
    ours_all = time.perf_counter() - start
    _line(
        f"stamps.pdf.render, {PDF_STAMPS:,} stamps in memory",
        f"{ours_all:8.2f} s  {PDF_STAMPS / ours_all:8,.0f} stamps/s",
    )

    few = stamps[:WIDGET_STAMPS]
    start = time.perf_counter()
    pdf.render(few, text, layout)
    ours = time.perf_counter() - start
    _line(f"stamps.pdf.render, {WIDGET_STAMPS} stamps", f"{ours:8.2f} s  {WIDGET_STAMPS / ours:8,.0f} stamps/s")
    start = time.perf_counter()
    content = render_with_widget(few, text, layout)
    widget = time.perf_counter() - start
    _line(
        f"reportlab QrCodeWidget, same {WIDGET_STAMPS} labels",
        f"{widget:8.2f} s  {WIDGET_STAMPS / widget:8,.0f} stamps/s  ({len(content) / 1e6:.1f} MB)",
    )
    _line("stamps.pdf / QrCodeWidget (stamps per second)", f"{widget / ours:8.1f} x   (target >= 1,000 stamps/s)")


def main(tmp: Path) -> None:
    batch = bench_issue(tmp)
    bench_pdf(batch)


if __name__ == "__main__":
    from stampdata import SITE_URL

    tmp = setup(
        "ocop-bench-stamps-",
        TASKS_BACKEND="django_tasks.backends.dummy.DummyBackend",
        SITE_URL=SITE_URL,
        STAMP_MAX_PER_BATCH=str(STAMPS),
    )
    try:
        main(tmp)
    finally:
        cleanup(tmp)
    sys.exit(0)
