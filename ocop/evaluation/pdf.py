"""Printable Mẫu 01 and Mẫu 02 (QĐ 26/2026 Phụ lục III) as PDF.

The wording of the forms is prescribed by the decision, so it is printed in
Vietnamese whatever the interface language; only the values come from the
dossier. Text is set in DejaVu Sans (shipped with the platform), which has
every Vietnamese glyph; the PDF base fonts (Helvetica…) do not.

A submitted dossier prints its latest frozen version, with the version
number and its SHA-256 in the footer so a paper copy can be matched to the
record; a draft prints what is on screen, marked as a draft.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ocop.evaluation import sheets
from ocop.evaluation.models import Dossier, DossierKind
from ocop.registry.models import EvidenceType, Gender, ProducerKind

FONT_DIR = Path(__file__).resolve().parent.parent / "front" / "static" / "ocop" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
CHECKED, UNCHECKED = "☒", "☐"
DOTS = "……………"


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return REGULAR, BOLD


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=14.5, spaceAfter=3)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=13, leading=17, alignment=1),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "head": ParagraphStyle("head", parent=base, fontName=bold, alignment=1, spaceBefore=8),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12, spaceAfter=0),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    # Values typed by users are escaped; line breaks are kept.
    return Paragraph(escape(str(text if text not in (None, "") else DOTS)).replace("\n", "<br/>"), style)


def _line(label: str, value: Any, style: ParagraphStyle) -> Paragraph:
    shown = escape(str(value)) if value not in (None, "") else DOTS
    return Paragraph(f"{escape(label)} {shown.replace(chr(10), '<br/>')}", style)


def _source(dossier: Dossier) -> tuple[dict[str, Any], Any]:
    """(content, version) to print: the latest frozen version, or the live draft (version None)."""
    version = None if dossier.is_editable else dossier.versions.order_by("-number").first()
    if version is not None:
        return version.content, version
    return {
        "registration_number": dossier.registration_number,
        "kind": dossier.kind,
        "sheet": dossier.sheet,
        "samples_count": dossier.samples_count,
        "form01": dossier.form01,
        "form02": dossier.form02,
        "self_assessment": dossier.self_assessment,
    }, None


def _date_words(day: dt.date | None) -> str:
    if day is None:
        return "ngày …… tháng …… năm ……"
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _footer(dossier: Dossier, version: Any) -> str:
    if version is None:
        return f"BẢN NHÁP – chưa nộp. Hồ sơ số {dossier.pk}."
    return f"Hồ sơ số {dossier.pk}, phiên bản {version.number}, SHA-256 {version.sha256}"


def _build(story: list[Any], dossier: Dossier, version: Any, title: str) -> bytes:
    buffer = io.BytesIO()
    footer = _footer(dossier, version)
    regular, _bold = _fonts()

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=dossier.producer.name,
        subject="OCOP",
        # The canvas starts in DejaVu too, so no base-14 font (Helvetica) is even declared in the file.
        initialFontName=regular,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _national_heading(s: dict[str, ParagraphStyle]) -> list[Any]:
    return [
        _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s["head"]),
        _p("Độc lập - Tự do - Hạnh phúc", s["center"]),
        _p("---------------", s["center"]),
    ]


def _signature(place: str, day: dt.date | None, role: str, name: str, s: dict[str, ParagraphStyle]) -> Table:
    block = [
        _p(f"{place or '……'}, {_date_words(day)}", s["center"]),
        _p(role, s["head"]),
        _p("(Ký, đóng dấu, ghi rõ họ tên)", s["center"]),
        Spacer(1, 14 * mm),
        _p(name, s["head"]),
    ]
    table = Table([["", block]], colWidths=[70 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), REGULAR)]))
    return table


def form01_pdf(dossier: Dossier) -> bytes:
    """Mẫu 01: Phiếu đăng ký tham gia đánh giá, phân hạng sản phẩm OCOP."""
    with translation.override("vi"):
        return _form01(dossier)


def _form01(dossier: Dossier) -> bytes:
    s = _styles()
    content, version = _source(dossier)
    f = content.get("form01") or {}
    product_set = dossier.product.product_set
    classification = f"{product_set.group.category.name} › {product_set.group.name} › {product_set.name}"
    submitted = timezone.localdate(dossier.submitted_at) if dossier.submitted_at and version is not None else None
    year = (submitted or dossier.created_at.date()).year
    kind = content.get("kind")

    def box(value: str) -> str:
        return CHECKED if kind == value else UNCHECKED

    samples = content.get("samples_count") or 0
    story: list[Any] = [
        *_national_heading(s),
        Spacer(1, 4 * mm),
        _p("PHIẾU ĐĂNG KÝ", s["title"]),
        _p("Tham gia đánh giá, phân hạng sản phẩm OCOP", s["center"]),
        _p(f"của tỉnh {dossier.province.name} năm {year}", s["center"]),
        Spacer(1, 4 * mm),
        _p("1. Thông tin về đơn vị đăng ký:", s["bold"]),
        _line("- Tên đơn vị:", f.get("producer_name"), s["base"]),
        _line("- Họ tên người đại diện pháp lý:", f.get("representative"), s["base"]),
        _line("- Chức vụ:", f.get("position"), s["base"]),
        _line("- Địa chỉ liên hệ:", f.get("address"), s["base"]),
        _line("- Điện thoại:", f"{f.get('phone') or DOTS}    Email: {f.get('email') or DOTS}", s["base"]),
        _line("2. Tên sản phẩm:", f.get("product_name"), s["base"]),
        _line("3. Nhóm sản phẩm đăng ký (Ngành, Nhóm, Phân nhóm):", classification, s["base"]),
        _p(
            f"4. Lần đăng ký đánh giá: Lần đầu {box(DossierKind.FIRST)}   Nâng hạng: {box(DossierKind.UPGRADE)}   "
            f"Đánh giá lại: {box(DossierKind.REEVALUATION)}",
            s["base"],
        ),
        _p("5. Tài liệu kèm theo:", s["base"]),
        _p("- Báo cáo đánh giá về sản phẩm theo Bộ tiêu chí (bản gốc, bản điện tử).", s["base"]),
        _line(
            "- Sản phẩm mẫu (số lượng):",
            str(samples) if samples else "không áp dụng (dịch vụ du lịch)",
            s["base"],
        ),
        Spacer(1, 2 * mm),
        _p(
            f"{CHECKED if f.get('commitment') else UNCHECKED} Cam đoan những thông tin trong Phiếu đăng ký là đúng sự "
            "thật, chúng tôi xin cam kết tuân thủ các quy định về đánh giá, phân hạng sản phẩm OCOP, chịu trách "
            "nhiệm trước Hội đồng và pháp luật về Hồ sơ đăng ký đánh giá, phân hạng sản phẩm.",
            s["base"],
        ),
        Spacer(1, 3 * mm),
        _signature(f.get("place") or "", submitted, "ĐẠI DIỆN", f.get("representative") or "", s),
        Spacer(1, 6 * mm),
        _p("PHẦN DÀNH CHO CƠ QUAN QUẢN LÝ", s["head"]),
        _p("DÀNH CHO ỦY BAN NHÂN DÂN CẤP XÃ", s["bold"]),
        _line("Phiếu số:", content.get("registration_number") or "……-……. /PĐK- (Mã tỉnh) - (Mã xã) - (Năm)", s["base"]),
        _line("Ngày nhận:", submitted.strftime("%d/%m/%Y") if submitted else "", s["base"]),
        _line("Người tiếp nhận:", "", s["base"]),
    ]
    return _build(story, dossier, version, "Mẫu số 01 – Phiếu đăng ký")


def _ticks(f: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("a) Giấy đăng ký kinh doanh", "has_business_registration"),
        ("b) Đã công bố chất lượng sản phẩm theo quy định", "quality_declared"),
        (
            "c) Giấy chứng nhận cơ sở đủ điều kiện vệ sinh an toàn thực phẩm theo quy định của pháp luật",
            "food_safety_certificate",
        ),
        ("    Giấy chứng nhận cơ sở đủ điều kiện sản xuất bắt buộc (nếu có)", "production_certificate"),
        ("d) + Giấy chứng nhận đăng ký nhãn hiệu", "ip_trademark"),
        (
            "    + Văn bản ghi nhận quyền sử dụng chỉ dẫn địa lý, nhãn hiệu tập thể, nhãn hiệu chứng nhận",
            "ip_collective",
        ),
        ("    + Bằng sáng chế", "ip_patent"),
        ("    + Bằng độc quyền kiểu dáng công nghiệp", "ip_design"),
        ("    + Giấy chứng nhận bản quyền tác giả", "ip_copyright"),
    ]


def form02_pdf(dossier: Dossier) -> bytes:
    """Mẫu 02: Báo cáo tự đánh giá về sản phẩm, with the self-scoring on the dossier's sheet and the evidence list."""
    with translation.override("vi"):
        return _form02(dossier)


def _form02(dossier: Dossier) -> bytes:
    s = _styles()
    content, version = _source(dossier)
    f = content.get("form02") or {}
    gender = str(dict(Gender.choices).get(f.get("rep_gender") or "", ""))
    organisation = f.get("organisation_type") or str(dict(ProducerKind.choices).get(dossier.producer.kind, ""))
    story: list[Any] = [
        _p("BÁO CÁO TỰ ĐÁNH GIÁ VỀ SẢN PHẨM", s["title"]),
        _p("(Dành cho chủ thể có sản phẩm đăng ký)", s["center"]),
        _p("Phần I. THÔNG TIN CHUNG", s["head"]),
        _line("1. Tên chủ thể:", dossier.producer.name, s["base"]),
        _line("2. Loại hình tổ chức:", organisation, s["base"]),
        _line("3. Địa chỉ:", f.get("address"), s["base"]),
        _line("4. Điện thoại:", f"{f.get('phone') or DOTS}    Email: {f.get('email') or DOTS}", s["base"]),
        _line("5. Tên người đại diện pháp luật:", f.get("representative"), s["base"]),
        _line("- Giới tính:", f"{gender or DOTS}; Dân tộc: {f.get('rep_ethnicity') or DOTS}", s["base"]),
        _line(
            "6. Ngày thành lập/đăng ký kinh doanh:",
            f"{_iso_to_vn(f.get('founded_on')) or DOTS}    "
            f"Số giấy đăng ký (nếu có): {f.get('registration_number') or DOTS}",
            s["base"],
        ),
        _line("7. Tên sản phẩm/dịch vụ, mô tả về quy cách sản phẩm, tiêu chuẩn:", "", s["base"]),
        _p(f.get("product_description"), s["base"]),
        _p("Đánh dấu (√) vào mục tương ứng:", s["base"]),
    ]
    for label, key in _ticks(f):
        story.append(_p(f"{label}: {CHECKED if f.get(key) else UNCHECKED}", s["base"]))
    story += [
        _line("    + Khác (ghi rõ):", f.get("ip_other"), s["base"]),
        _p("8. Lịch sử hình thành của chủ thể:", s["base"]),
        _p(f.get("history"), s["base"]),
        _p("9. Cơ cấu tổ chức của chủ thể:", s["base"]),
        _p(f.get("structure"), s["base"]),
        _p("Phần II. KẾT QUẢ THỰC HIỆN PHƯƠNG ÁN SẢN XUẤT KINH DOANH", s["head"]),
        _p("- Tổ chức vùng nguyên liệu, công nghệ sản xuất, sơ chế, chế biến, đóng gói sản phẩm:", s["bold"]),
        _p(f.get("production"), s["base"]),
        _p("- Sự thay đổi về chất lượng sản phẩm, tiêu chuẩn, bao bì, nhãn mác:", s["bold"]),
        _p(f.get("quality_changes"), s["base"]),
        _p("- Thị trường phân phối sản phẩm:", s["bold"]),
        _p(f.get("markets"), s["base"]),
        _p("- Kết quả sản xuất, kinh doanh (doanh thu, lợi nhuận):", s["bold"]),
        _p(f.get("results"), s["base"]),
        _p("Phần III. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN THEO BỘ TIÊU CHÍ SẢN PHẨM OCOP", s["head"]),
    ]
    story += _score_table(dossier, content.get("self_assessment") or {}, s)
    if f.get("evidence_notes"):
        story += [_p("Mô tả, chứng minh về kết quả:", s["bold"]), _p(f.get("evidence_notes"), s["base"])]
    if content.get("kind") != DossierKind.FIRST:
        story += [
            _p("Những nội dung mới, thay đổi và kết quả sau thời gian được công nhận:", s["bold"]),
            _p(f.get("changes_since_recognition"), s["base"]),
        ]
    story += _evidence_table(dossier, version, s)
    story += [
        _p("Phần IV. KẾ HOẠCH SẢN XUẤT, KINH DOANH", s["head"]),
        _p(f.get("plan"), s["base"]),
        Spacer(1, 3 * mm),
    ]
    submitted = timezone.localdate(dossier.submitted_at) if dossier.submitted_at and version is not None else None
    place = (content.get("form01") or {}).get("place") or ""
    story.append(_signature(place, submitted, "ĐẠI DIỆN THEO PHÁP LUẬT CỦA CƠ SỞ", f.get("representative") or "", s))
    return _build(story, dossier, version, "Mẫu số 02 – Báo cáo tự đánh giá")


def _iso_to_vn(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y") if value else ""
    except ValueError:
        return str(value)


def _score_table(dossier: Dossier, selections: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    sheet = sheets.sheet_for(dossier)
    data = [[_p("Tiêu chí", s["cell"]), _p("Lựa chọn tự đánh giá", s["cell"]), _p("Điểm", s["cell"])]]
    for criterion in sheet.criteria:
        option = criterion.option(str(selections.get(criterion.code) or ""))
        data.append(
            [
                _p(f"{criterion.code}. {criterion.title} (tối đa {criterion.max})", s["cell"]),
                _p(option.text if option else "—", s["cell"]),
                _p(str(option.points) if option else "—", s["cell"]),
            ]
        )
    projection = sheets.project(sheet, selections)
    star = f"{projection.star} sao" if projection.star else "chưa đạt hạng"
    data.append(
        [
            _p("Tổng điểm tự đánh giá", s["cell"]),
            _p(f"Dự kiến: {star}", s["cell"]),
            _p(str(projection.total), s["cell"]),
        ]
    )
    table = Table(data, colWidths=[62 * mm, 92 * mm, 16 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                # Tables otherwise set their cells in Helvetica, which has no Vietnamese letters.
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    return [_p(f"Bộ tiêu chí số {sheet.number}: {sheet.name}", s["bold"]), table, Spacer(1, 3 * mm)]


def _evidence_table(dossier: Dossier, version: Any, s: dict[str, ParagraphStyle]) -> list[Any]:
    if version is not None:
        entries = version.evidence_hashes
    else:
        entries = [
            {
                "doc_type": d.doc_type,
                "title": d.title,
                "number": d.number,
                "sha256": d.sha256,
                "expires_on": d.expires_on.isoformat() if d.expires_on else None,
            }
            for d in dossier.evidence.order_by("doc_type", "title")
        ]
    data = [[_p("Tài liệu minh chứng", s["cell"]), _p("Số, hiệu lực", s["cell"]), _p("SHA-256", s["cell"])]]
    for entry in entries:
        kind = str(dict(EvidenceType.choices).get(entry["doc_type"], entry["doc_type"]))
        validity = entry.get("number") or ""
        if entry.get("expires_on"):
            validity = f"{validity} (đến {_iso_to_vn(entry['expires_on'])})".strip()
        data.append(
            [
                _p(f"{kind}: {entry['title']}", s["cell"]),
                _p(validity or "—", s["cell"]),
                _p(entry["sha256"][:16] + "…", s["cell"]),
            ]
        )
    if len(data) == 1:
        return [_p("Tài liệu minh chứng: chưa chọn.", s["base"])]
    table = Table(data, colWidths=[98 * mm, 40 * mm, 32 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                # Tables otherwise set their cells in Helvetica, which has no Vietnamese letters.
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    return [Spacer(1, 2 * mm), _p("Tài liệu minh chứng kèm theo (phụ lục):", s["bold"]), table, Spacer(1, 3 * mm)]
