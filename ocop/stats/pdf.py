"""The printable statistics report: figures, charts and tables, in Vietnamese (A4 portrait).

Text in DejaVu Sans embedded from the fonts the application ships (as the
certificate does: the PDF base fonts have no Vietnamese letters); charts drawn
with reportlab's own graphics, so the file needs nothing from outside.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ocop.stats.figures import Figures, Line
from ocop.stats.filters import STARS

FONT = "OCOPStatsSans"
FONT_BOLD = "OCOPStatsSans-Bold"
GREEN = colors.HexColor("#0b5d3b")
STAR_COLOURS = (colors.HexColor("#b8860b"), colors.HexColor("#0b5d3b"), colors.HexColor("#a4161a"))


@cache
def _fonts() -> None:
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = finders.find(f"ocop/fonts/{filename}")
        if path is None:  # pragma: no cover - the font ships with ocop/front
            raise FileNotFoundError(f"ocop/fonts/{filename} not found among the static files")
        pdfmetrics.registerFont(TTFont(name, path))


def _t(text: Any) -> str:
    from xml.sax.saxutils import escape

    return escape(unicodedata.normalize("NFC", str(text)))


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19, textColor=GREEN, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    }


def _table(head: list[str], body: list[list[Any]], widths: list[float]) -> Table:
    st = _styles()["cell"]
    data = [[Paragraph(f"<b>{_t(h)}</b>", st) for h in head]] + [[Paragraph(_t(v), st) for v in row] for row in body]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6efe9")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _lines_table(lines: list[Line], label: str, limit: int = 40) -> Table:
    body = [[line.label, line.count, f"{line.share:.1f} %", *line.stars] for line in lines[:limit]]
    return _table(
        [label, _("Products"), _("Share"), "3★", "4★", "5★"],
        body,
        [70 * mm, 20 * mm, 20 * mm, 18 * mm, 18 * mm, 18 * mm],
    )


def _bar_chart(lines: list[Line], title: str) -> Drawing:
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 150 * mm, 42 * mm
    values = [line.count for line in lines] or [0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [line.label[:14] for line in lines] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = GREEN
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 5
    drawing.add(chart)
    drawing.add(String(12 * mm, 58 * mm, title, fontName=FONT_BOLD, fontSize=9))
    return drawing


def _stacked_chart(items: list[tuple[int, list[int]]], title: str) -> Drawing:
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, 150 * mm, 42 * mm
    chart.data = [[values[i] for _, values in items] or [0] for i in range(len(STARS))]
    chart.categoryAxis.categoryNames = [str(year) for year, _ in items] or [""]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    for i, colour in enumerate(STAR_COLOURS):
        chart.bars[i].fillColor = colour
    drawing.add(chart)
    drawing.add(String(12 * mm, 58 * mm, title, fontName=FONT_BOLD, fontSize=9))
    return drawing


def _line_chart(points: list[tuple[int, int]], title: str) -> Drawing:
    drawing = Drawing(170 * mm, 58 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 38 * mm
    chart.data = [[value for _, value in points] or [0]]
    chart.categoryAxis.categoryNames = [str(year) for year, _ in points] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.lines[0].strokeColor = GREEN
    chart.lines[0].strokeWidth = 2
    drawing.add(chart)
    drawing.add(String(12 * mm, 53 * mm, title, fontName=FONT_BOLD, fontSize=9))
    return drawing


def _progress(value: int, low: int, high: int | None) -> str:
    return f"{value} / {low}–{high}" if high else f"{value} / {low}"


def report_pdf(figures: Figures, trend: dict[str, Any], area_name: str, targets: list[dict[str, Any]]) -> bytes:
    _fonts()
    with translation.override("vi"):
        return _build(figures, trend, area_name, targets)


def _build(figures: Figures, trend: dict[str, Any], area_name: str, targets: list[dict[str, Any]]) -> bytes:
    st = _styles()
    f = figures.filter
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("OCOP statistics report"),
        author="OCOP",
    )
    story: list[Any] = [
        Paragraph(_t(_("OCOP statistics report")), st["title"]),
        Paragraph(_t(f"{_('Area')}: {area_name}"), st["body"]),
    ]
    for label, value in f.describe():
        story.append(Paragraph(_t(f"{label}: {value}"), st["body"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            _t(
                _("%(total)s products recognised (3★ or more) with a certificate in force on %(day)s.")
                % {"total": figures.total, "day": f.as_of.strftime("%d/%m/%Y")}
            ),
            st["body"],
        )
    )
    story.append(Paragraph(_t(_("Recognised products by star")), st["h2"]))
    story.append(_bar_chart(figures.by_star, _("Recognised products by star")))
    story.append(_lines_table(figures.by_star, _("Rating")))
    if figures.proposals:
        story.append(Paragraph(_t(_("Proposed for a higher rating")), st["h2"]))
        story.append(
            _table(
                [_("Product"), _("Proposed rating"), _("Proposed on")],
                [[p["product"], f"{p['star']}★", p["proposed_on"].strftime("%d/%m/%Y")] for p in figures.proposals],
                [100 * mm, 30 * mm, 30 * mm],
            )
        )
    story.append(Paragraph(_t(_("By product category")), st["h2"]))
    story.append(_lines_table(figures.by_category, _("Product category")))
    story.append(Paragraph(_t(_("By product set")), st["h2"]))
    story.append(_lines_table(figures.by_set, _("Product set")))
    story.append(Paragraph(_t(_("By province")), st["h2"]))
    story.append(_bar_chart(figures.by_province[:15], _("By province")))
    story.append(_lines_table(figures.by_province, _("Province")))
    if figures.by_district:
        story.append(Paragraph(_t(_("By former district")), st["h2"]))
        story.append(_lines_table(figures.by_district, _("District")))
    story.append(Paragraph(_t(_("By commune")), st["h2"]))
    story.append(_lines_table(figures.by_commune, _("Commune")))
    story.append(Paragraph(_t(_("By type of producer")), st["h2"]))
    story.append(_lines_table(figures.by_kind, _("Type of producer")))
    story.append(Paragraph(_t(_("By year of first recognition")), st["h2"]))
    story.append(_lines_table(figures.by_year, _("Year")))
    story.append(Paragraph(_t(_("Certificates by status")), st["h2"]))
    story.append(
        _table(
            [_("Status"), _("Certificates"), _("Share")],
            [[line.label, line.count, f"{line.share:.1f} %"] for line in figures.statuses]
            + [[figures.reevaluation_due.label, figures.reevaluation_due.count, ""]],
            [80 * mm, 30 * mm, 30 * mm],
        )
    )
    if trend["years"]:
        story.append(Paragraph(_t(_("Trend by year")), st["h2"]))
        story.append(_stacked_chart(trend["issued"], _("Certificates issued per year, by star")))
        story.append(
            _line_chart([(y, n) for y, _day, n in trend["in_force"]], _("Products in force at the end of each year"))
        )
        story.append(
            _table(
                [_("Year"), "3★", "4★", "5★", _("Products in force at the end of the year")],
                [[y, *values, n] for (y, values), (_y, _d, n) in zip(trend["issued"], trend["in_force"], strict=True)],
                [20 * mm, 20 * mm, 20 * mm, 20 * mm, 60 * mm],
            )
        )
    if targets:
        story.append(Paragraph(_t(_("Progress against the province targets")), st["h2"]))
        story.append(
            _table(
                [_("Province"), _("Target year"), _("Products (target)"), _("5★ (target)")],
                [
                    [
                        t["target"].province.name,
                        t["target"].year,
                        _progress(t["products"], t["target"].products_target_min, t["target"].products_target_max),
                        _progress(t["five_star"], t["target"].five_star_target_min, t["target"].five_star_target_max),
                    ]
                    for t in targets
                ],
                [60 * mm, 25 * mm, 45 * mm, 45 * mm],
            )
        )
    doc.build(story)
    return buffer.getvalue()
