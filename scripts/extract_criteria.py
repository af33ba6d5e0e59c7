"""Extract the 26 criteria sheets of QĐ 26/2026/QĐ-TTg (Phụ lục II) into JSON data files.

    python scripts/extract_criteria.py [--source PATH] [--out DIR] [--check]

The source is the HTML edition of the decision (`qd-26-2026-ttg.html`, kept beside the repository in
`../shared/legal/`). The HTML is used rather than the plain-text edition because its table rows are explicit:
in the text edition a row is only two "|"-separated cells in a long run, and an option's box, text and points
can fall on separate cells, so one missing cell shifts every following option.

What the script writes (`ocop/rules/data/qd-26-2026/sheet-NN.json`) is committed: the platform never parses the
legal text at run time. Regenerate after changing this script and review the diff; `--check` only compares and
exits 1 when the committed files differ (suitable for CI).

Every place where the printed text is not used as printed is listed in CORRECTIONS below, with the printed
value, the value used and the reason. The parser refuses anything it does not understand, and a correction
whose printed value no longer matches the source is an error too, so nothing is "fixed" silently.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "legal" / "qd-26-2026-ttg.html"
DEFAULT_OUT = ROOT / "ocop" / "rules" / "data" / "qd-26-2026"
RULEBOOK = "qd-26-2026"
SHEET_COUNT = 26
# Options in the 26 sheets counted by their "□" box in the text edition (lines 790–19915), plus the one option
# printed with "o" instead of a box (correction below). A cross-check that no row was lost.
EXPECTED_OPTIONS = 2534 + 1


# --- Corrections ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Correction:
    sheet: int
    # Where: "part:A", "group:9", "criterion:1.2", "option:1.2#1" (1-based position within the criterion),
    # "sheet" for the sheet's own paragraphs.
    where: str
    # What: "title_max" (the number printed in a part's title), "max", "points", "bullet", "options",
    # "duplicate_paragraph", "knockout_when_zero".
    field: str
    printed: Any
    used: Any
    reason: str


CORRECTIONS: tuple[Correction, ...] = (
    # Sheet 1 prints its "Hồ sơ bị loại khi" paragraph twice, word for word.
    Correction(1, "sheet", "duplicate_paragraph", 2, 1, "the knock-out paragraph is printed twice; kept once"),
    # Sheet 26's Part A title says 35 points but its score cell says 40, its groups sum to 14 + 12 + 14 = 40,
    # and Điều 3.1.a fixes Part A at 40 points for every sheet.
    Correction(26, "part:A", "title_max", 35, 40, "title prints 35; score cell, group sum and Điều 3.1.a give 40"),
    # Four sheets leave the points of the first option of 1.2 blank. It is the "no certificate" option, worth 0
    # in every other sheet with the same criterion (e.g. sheets 1–3, 5–10).
    Correction(4, "option:1.2#1", "points", "", 0, "points cell blank; the same option is worth 0 in other sheets"),
    Correction(7, "option:1.2#1", "points", "", 0, "points cell blank; the same option is worth 0 in other sheets"),
    Correction(10, "option:1.2#1", "points", "", 0, "points cell blank; the same option is worth 0 in other sheets"),
    Correction(11, "option:1.2#1", "points", "", 0, "points cell blank; the same option is worth 0 in other sheets"),
    # Sheet 11, 6.1.1 (impurities, max 2): "very few impurities, acceptable" printed as 11 between 0 and 2.
    Correction(11, "option:6.1.1#2", "points", "11", 1, "11 exceeds the criterion's 2 points; sits between 0 and 2"),
    # Sheet 4, group 7 (nutrition, max 3): the top option printed as 13; the same option is worth 3 elsewhere.
    Correction(4, "option:7#3", "points", "13", 3, "13 exceeds the group's 3 points; the same option is 3 elsewhere"),
    # Sheet 7, 3.1: the company option printed as 1 point, the same as the household option; it is worth 2 in
    # all 25 other sheets, between the household (1) and the cooperative (3).
    Correction(7, "option:3.1#2", "points", "1", 2, "company option is 2 in every other sheet (1/2/3 ladder)"),
    # Sheet 23, group 9: the score cell holds a stray second paragraph "1" under the group's 4 points; the
    # group's options are worth 2 and 4 and Part C only totals 35 with 4.
    Correction(23, "group:9", "max", "4\n1", 4, "stray '1' paragraph in the score cell; options 2/4, Part C = 35"),
    # Sheet 7, group 7: the last option is bulleted "o" instead of "□".
    Correction(7, "option:7#4", "bullet", "o", "□", "typeset with the letter o instead of the box"),
    # Criterion 2.4 (bilingual label, 1 point) is printed with its maximum and no options in the sheets listed
    # below; it is a yes/no criterion, so it gets the two options "Không" (0) and "Có" (1).
    *(
        Correction(n, "criterion:2.4", "options", [], [["Không", 0], ["Có", 1]], "printed without options: yes/no")
        for n in range(1, 21)
    ),
    # Sheets 21 and 22 number the same bilingual-label criterion 2.3.
    *(
        Correction(n, "criterion:2.3", "options", [], [["Không", 0], ["Có", 1]], "printed without options: yes/no")
        for n in (21, 22)
    ),
    # Sheet 17's knock-out paragraph lacks "không có" before the production licence (sheet 15 prints it).
    Correction(
        17,
        "knockout:no-production-licence",
        "text",
        "Giấy phép sản xuất theo quy định",
        "Không có giấy phép sản xuất theo quy định",
        "the words 'không có' are missing; sheet 15 prints the same condition with them",
    ),
    # Sheet 16, after 6.4: "if any of the criteria above scores 0, the evaluation stops" refers to the whole
    # sensory group 6.1–6.4; the machine-readable list lets the star computation raise it by itself.
    Correction(
        16,
        "criterion:6.4",
        "knockout_when_zero",
        None,
        ["6.1", "6.2", "6.3", "6.4"],
        "'các chỉ tiêu trên' = the sensory criteria 6.1–6.4 above the note",
    ),
)


# Printed values that look odd but are kept as printed, because the text does not show what was meant and the
# sheet is valid as printed. Listed so a reviewer sees they were looked at; nothing here changes the data.
REVIEWED_AS_PRINTED: tuple[tuple[int, str, str], ...] = (
    (23, "option:6.2#1-2", "'Chấp nhận được' and 'Phù hợp với đặc tính sản phẩm' are both worth 1 point"),
    (26, "sheet", "no 'Hồ sơ bị loại khi' paragraph is printed for the tourism sheet; none is invented"),
    (18, "knockout:no-product-declaration", "garbled wording kept: 'Hồ sơ đăng ký bản đăng ký công bố …'"),
)


class ExtractError(Exception):
    pass


class Corrections:
    """Looks corrections up while parsing and proves at the end that each one was used exactly once."""

    def __init__(self, items: tuple[Correction, ...]) -> None:
        self.items = {(c.sheet, c.where, c.field): c for c in items}
        if len(self.items) != len(items):
            raise ExtractError("two corrections for the same sheet, place and field")
        self.used: set[tuple[int, str, str]] = set()

    def get(self, sheet: int, where: str, field: str) -> Correction | None:
        return self.items.get((sheet, where, field))

    def apply(self, sheet: int, where: str, field: str, printed: Any) -> tuple[Any, bool]:
        c = self.get(sheet, where, field)
        if c is None:
            return printed, False
        if c.printed != printed:
            raise ExtractError(
                f"sheet {sheet} {where} {field}: correction expects printed {c.printed!r}, source has {printed!r}"
            )
        self.used.add((sheet, where, field))
        return c.used, True

    def unused(self) -> list[Correction]:
        return [c for key, c in self.items.items() if key not in self.used]


# --- HTML → blocks ----------------------------------------------------------------------------------------------
class Blocks(HTMLParser):
    """The document as a flat list of ("p", text) paragraphs outside tables and ("table", rows) tables.

    A cell is a list of its paragraphs; whitespace inside a paragraph is collapsed (the HTML wraps lines).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, Any]] = []
        self.tables: list[list[list[list[str]]]] = []
        self.row: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.buf: list[str] = []
        self.in_p = False

    def _flush_para(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf = []
        if not text:
            return
        if self.cell is not None:
            self.cell.append(text)
        elif not self.tables:
            self.blocks.append(("p", text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._flush_para()
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.buf = []
        elif tag in ("p", "div", "br", "h1", "h2", "h3", "h4", "li"):
            self._flush_para()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self._flush_para()
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            self.tables[-1].append(self.row)
            self.row = None
        elif tag == "table" and self.tables:
            rows = self.tables.pop()
            if self.tables:  # a nested table: keep its rows inside the outer cell's text
                return
            self.blocks.append(("table", rows))
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "li"):
            self._flush_para()

    def handle_data(self, data: str) -> None:
        self.buf.append(data.replace("\xa0", " "))


# --- Parsing one sheet ----------------------------------------------------------------------------------------
STARS = re.compile(r"\s*((?:\*\s*){3,5})$")
PART = re.compile(r"^Phần\s+([ABC])\s*:?\s*(.+?)\s*\((\d+)\s*Điểm\)\s*$", re.IGNORECASE)
CODE = re.compile(r"^(\d+(?:\.\d+){0,2})\.?\s+(\S.*)$")
CASE = re.compile(r"^([a-z])\.\s*Trường hợp\s*(\d+)\s*:\s*(.+)$")
NOTE_PREFIX = re.compile(r"^(Ghi chú|Chú ý|Lưu ý)\s*:\s*", re.IGNORECASE)
REQUIREMENT_PREFIX = re.compile(r"^Yêu cầu\s*:\s*", re.IGNORECASE)

# A note is a knock-out when it says the dossier is rejected or the evaluation stops. Each gets a stable code
# (criterion code + ":" + slug) so a council can raise it and statistics can count it.
KNOCKOUT_NOTES: tuple[tuple[str, str], ...] = (
    (r"tạp chất", "impurities"),
    (r"sở hữu trí tuệ", "ip-violation"),
    (r"nguyên liệu nhập khẩu", "imported-or-unknown-materials"),
    (r"giống hệt sản phẩm", "copied-product"),
    (r"được 0 điểm", "zero-score"),
    (r"Phiếu công bố", "no-product-declaration"),
    (r"tính phổ biến", "common-product"),
)
KNOCKOUT_WORDS = re.compile(
    r"bị loại|không đánh giá các bước tiếp theo|không xem xét các chỉ tiêu khác|không đánh giá những sản phẩm",
    re.IGNORECASE,
)
# The sheet-level "Hồ sơ bị loại khi" conditions, split into their alternatives; each alternative is recognised
# by its words and given a stable code shared by every sheet that states it.
SHEET_KNOCKOUTS: tuple[tuple[str, str], ...] = (
    (r"giả mạo hồ sơ", "forged-dossier"),
    (r"an toàn thực phẩm", "no-food-safety-certificate"),
    (r"GMP|đủ điều kiện sản xuất sản phẩm", "no-production-conditions-certificate"),
    (r"điều kiện bắt buộc", "no-mandatory-production-conditions"),
    (r"giấy phép sản xuất", "no-production-licence"),
    (r"bản đăng ký công bố|bản công bố", "no-product-declaration"),
    (r"hồ sơ đăng ký", "incomplete-registration-dossier"),
)


def _points(text: str | int) -> int:
    if isinstance(text, int):
        return text
    if not re.fullmatch(r"\d{1,3}", text):
        raise ValueError(text)
    return int(text)


def _note(text: str, where: str) -> dict[str, Any]:
    body = NOTE_PREFIX.sub("", text).strip()
    return {"text": body, "where": where}


class SheetParser:
    def __init__(self, number: int, rows: list[list[list[str]]], fixes: Corrections) -> None:
        self.n = number
        self.rows = rows
        self.fixes = fixes
        self.parts: list[dict[str, Any]] = []
        self.part: dict[str, Any] | None = None
        self.group: dict[str, Any] | None = None
        self.criterion: dict[str, Any] | None = None
        self.case: str | None = None
        self.total: int | None = None
        self.applied: list[Correction] = []

    def fail(self, msg: str, row: int) -> ExtractError:
        return ExtractError(f"sheet {self.n}, table row {row + 1}: {msg}")

    def fix(self, where: str, field: str, printed: Any) -> Any:
        value, changed = self.fixes.apply(self.n, where, field, printed)
        if changed:
            c = self.fixes.get(self.n, where, field)
            assert c is not None
            self.applied.append(c)
        return value

    def parse(self) -> dict[str, Any]:
        header = [" ".join(c) for c in self.rows[0]]
        if header != ["Các tiêu chí", "Thang điểm"]:
            raise self.fail(f"unexpected header {header}", 0)
        for i, row in enumerate(self.rows[1:], start=1):
            label_paras = row[0]
            score = "\n".join(row[1]) if len(row) > 1 else ""
            if not label_paras:
                raise self.fail("empty label cell", i)
            self.row(i, label_paras, score)
        self.finish_group()
        if self.total is None:
            raise self.fail("no TỔNG CỘNG row", len(self.rows) - 1)
        return {"parts": self.parts, "total": self.total}

    # Rows
    def row(self, i: int, paras: list[str], score: str) -> None:
        first = paras[0]
        joined = " ".join(paras)
        if first.upper().startswith("PHẦN"):
            return self.part_row(i, joined, score)
        if first.startswith("TỔNG CỘNG"):
            self.finish_group()
            self.total = _points(score)
            return None
        if first.startswith("□") or first.startswith("o "):
            return self.option_row(i, paras, score)
        m = CODE.match(first)
        if m and score.strip():
            code, title = m.groups()
            if "." in code:
                return self.criterion_row(i, code, title, paras[1:], score)
            return self.group_row(i, int(code), title, paras[1:], score)
        if score.strip():
            raise self.fail(f"points on an unrecognised row: {joined!r}", i)
        return self.text_row(i, paras)

    def part_row(self, i: int, text: str, score: str) -> None:
        self.finish_group()
        m = PART.match(text)
        if not m:
            raise self.fail(f"unreadable part heading {text!r}", i)
        code, title, printed = m.group(1).upper(), m.group(2), int(m.group(3))
        maximum = _points(score)
        if printed != maximum:
            printed = self.fix(f"part:{code}", "title_max", printed)
            if printed != maximum:
                raise self.fail(f"part {code} title says {printed} points, score cell {maximum}", i)
        self.part = {"code": code, "title": title.strip(), "max": maximum, "groups": []}
        self.parts.append(self.part)

    def group_row(self, i: int, number: int, title: str, extra: list[str], score: str) -> None:
        self.finish_group()
        if self.part is None:
            raise self.fail("criterion group before any part", i)
        try:
            maximum = _points(self.fix(f"group:{number}", "max", score))
        except ValueError:
            raise self.fail(f"group {number}: points {score!r}", i) from None
        self.group = {
            "number": number,
            "title": title.strip(),
            "description": "",
            "max": maximum,
            "requirement": "",
            "notes": [],
            "knockouts": [],
            "sections": [],
            "criteria": [],
        }
        self.extra_paragraphs(i, self.group, extra)
        self.part["groups"].append(self.group)
        self.criterion = None
        self.case = None

    def criterion_row(self, i: int, code: str, title: str, extra: list[str], score: str) -> None:
        if self.group is None or code.split(".")[0] != str(self.group["number"]):
            raise self.fail(f"criterion {code} outside its group", i)
        try:
            maximum = _points(self.fix(f"criterion:{code}", "max", score))
        except ValueError:
            raise self.fail(f"criterion {code}: points {score!r}", i) from None
        self.criterion = new_criterion(code, title.strip(), maximum)
        self.extra_paragraphs(i, self.criterion, extra)
        self.group["criteria"].append(self.criterion)
        self.case = None

    def implicit_criterion(self) -> dict[str, Any]:
        """A group printed with options directly under it is one criterion coded like the group ("7")."""
        assert self.group is not None
        g = self.group
        c = new_criterion(str(g["number"]), g["title"], g["max"])
        for key in ("description", "requirement"):
            c[key], g[key] = g[key], ""
        c["notes"], g["notes"] = g["notes"], []
        c["knockouts"], g["knockouts"] = g["knockouts"], []
        g["criteria"].append(c)
        self.criterion = c
        return c

    def option_row(self, i: int, paras: list[str], score: str) -> None:
        if self.group is None:
            raise self.fail("option before any criterion group", i)
        c = self.criterion
        if c is None:
            c = self.implicit_criterion()
        position = len(c["options"]) + 1
        where = f"option:{c['code']}#{position}"
        text_paras, trailing = [], []
        for p in paras:
            (trailing if trailing or NOTE_PREFIX.match(p) else text_paras).append(p)
        text = " ".join(text_paras)
        if text.startswith("o "):
            if self.fix(where, "bullet", "o") != "□":
                raise self.fail(f"{where}: option bulleted 'o'", i)
            text = text[2:]
        else:
            text = text[1:]
        text = text.strip()
        min_star = None
        m = STARS.search(text)
        if m:
            min_star = m.group(1).count("*")
            text = text[: m.start()].rstrip()
        if "*" in text:
            raise self.fail(f"{where}: star mark not at the end of {text!r}", i)
        try:
            points = _points(self.fix(where, "points", score.strip()))
        except ValueError:
            raise self.fail(f"{where}: points {score!r}", i) from None
        c["options"].append(
            {"id": f"{c['code']}-{position}", "text": text, "points": points, "min_star": min_star, "case": self.case}
        )
        for p in trailing:
            self.note(i, c, p)

    def text_row(self, i: int, paras: list[str]) -> None:
        target: dict[str, Any] | None = self.criterion or self.group
        if target is None:
            raise self.fail(f"text before any criterion: {paras!r}", i)
        for p in paras:
            m = CASE.match(p)
            if m:
                c = self.criterion or self.implicit_criterion()
                self.case = m.group(1)
                c["cases"].append({"code": m.group(1), "title": m.group(3).strip()})
            elif p.startswith("Lựa chọn một trong"):
                c = self.criterion or self.implicit_criterion()
                c["cases_note"] = p
            else:
                self.extra_paragraphs(i, target, [p])

    def extra_paragraphs(self, i: int, target: dict[str, Any], paras: list[str]) -> None:
        for p in paras:
            if REQUIREMENT_PREFIX.match(p):
                if target["requirement"]:
                    raise self.fail(f"second requirement for {target.get('code', target.get('number'))}", i)
                target["requirement"] = REQUIREMENT_PREFIX.sub("", p).strip()
            elif NOTE_PREFIX.match(p) or p.startswith(("Chỉ áp dụng", "Áp dụng")):
                self.note(i, target, p)
            elif p.startswith("("):
                body = p[1:-1] if p.endswith(")") and p.count("(") == p.count(")") else p[1:]
                target["description"] = f"{target['description']} {body.strip()}".strip()
            elif re.match(r"^[A-ZĐÀ-Ỹ][^:]{0,40}(\([^)]*\))?\s*:", p):  # "Chất lượng: …" without brackets
                target["description"] = f"{target['description']} {p}".strip()
            else:
                raise self.fail(f"unrecognised paragraph {p!r}", i)

    def note(self, i: int, target: dict[str, Any], text: str) -> None:
        body = NOTE_PREFIX.sub("", text).strip()
        if not KNOCKOUT_WORDS.search(body):
            target["notes"].append(body)
            return
        code = target.get("code", str(target.get("number")))
        for pattern, slug in KNOCKOUT_NOTES:
            if re.search(pattern, body, re.IGNORECASE):
                ko = {"code": f"{code}:{slug}", "text": body}
                when_zero = self.fix(f"criterion:{code}", "knockout_when_zero", None)
                if when_zero is not None:
                    ko["when_zero"] = when_zero
                target["knockouts"].append(ko)
                return
        raise self.fail(f"knock-out note without a known code: {body!r}", i)

    def finish_group(self) -> None:
        """Turn "6.1" into a section when "6.1.1", "6.1.2" follow it (the tea sheets print three levels)."""
        if self.group is None:
            return
        criteria = self.group["criteria"]
        flat = []
        for c in criteria:
            children = [d for d in criteria if d["code"].startswith(c["code"] + ".")]
            if children:
                if c["options"] or c["notes"] or c["requirement"] or c["knockouts"]:
                    raise ExtractError(f"sheet {self.n}: {c['code']} has sub-criteria and options of its own")
                self.group["sections"].append(
                    {
                        "code": c["code"],
                        "title": c["title"],
                        "description": c["description"],
                        "max": c["max"],
                        "criteria": [d["code"] for d in children],
                    }
                )
            else:
                flat.append(c)
        self.group["criteria"] = flat
        self.group = None
        self.criterion = None


def new_criterion(code: str, title: str, maximum: int) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "description": "",
        "max": maximum,
        "requirement": "",
        "notes": [],
        "knockouts": [],
        "cases_note": "",
        "cases": [],
        "options": [],
    }


# --- The whole document -------------------------------------------------------------------------------------------
def sheet_names(tables: list[list[list[list[str]]]]) -> dict[int, str]:
    """Names from the index table of Phụ lục II ("STT | Nội dung": 1 … 26 "Bộ sản phẩm: …")."""
    for rows in tables:
        if rows and [" ".join(c) for c in rows[0]] == ["STT", "Nội dung"]:
            names = {}
            for row in rows[1:]:
                number, text = " ".join(row[0]), " ".join(row[1])
                names[int(number)] = re.sub(r"^Bộ sản phẩm:\s*", "", text).strip()
            return names
    raise ExtractError("index table of Phụ lục II not found")


def split_alternatives(text: str) -> list[str]:
    """Split "A hoặc B; hoặc C" at top level (never inside brackets)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            for sep in ("; hoặc ", ";hoặc ", "; ", " hoặc "):
                if text.startswith(sep, i):
                    parts.append(text[start:i])
                    i += len(sep)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip(" .;") for p in parts if p.strip(" .;")]


def sheet_knockouts(number: int, paragraphs: list[str], fixes: Corrections) -> tuple[str, list[dict[str, str]]]:
    # Sheet 19 prints the paragraph as "Bị loại khi: …" without "Hồ sơ".
    found = [p for p in paragraphs if re.match(r"^(Hồ sơ )?bị loại khi\s*:", p, re.IGNORECASE)]
    if len(found) > 1:
        if len(set(found)) != 1:
            raise ExtractError(f"sheet {number}: two different knock-out paragraphs")
        kept, _ = fixes.apply(number, "sheet", "duplicate_paragraph", len(found))
        if kept != 1:
            raise ExtractError(f"sheet {number}: knock-out paragraph printed {len(found)} times")
    if not found:
        return "", []
    text = re.sub(r"^(Hồ sơ )?bị loại khi\s*:\s*", "", found[0], flags=re.IGNORECASE).strip()
    items: list[dict[str, str]] = []
    for alt in split_alternatives(text):
        for pattern, code in SHEET_KNOCKOUTS:
            if re.search(pattern, alt, re.IGNORECASE):
                if any(k["code"] == code for k in items):
                    raise ExtractError(f"sheet {number}: two knock-out conditions read as {code}: {alt!r}")
                wording = fixes.apply(number, f"knockout:{code}", "text", alt[0].upper() + alt[1:])[0]
                items.append({"code": code, "text": wording})
                break
        else:
            raise ExtractError(f"sheet {number}: knock-out condition without a known code: {alt!r}")
    return text, items


def extract(source: Path) -> dict[str, Any]:
    raw = source.read_bytes()
    blocks = Blocks()
    blocks.feed(raw.decode("utf-8"))
    tables = [b[1] for b in blocks.blocks if b[0] == "table"]
    names = sheet_names(tables)
    if sorted(names) != list(range(1, SHEET_COUNT + 1)):
        raise ExtractError(f"index table lists sheets {sorted(names)}")
    fixes = Corrections(CORRECTIONS)
    sheets: list[dict[str, Any]] = []
    paragraphs: list[str] = []
    started = False
    for kind, content in blocks.blocks:
        if kind == "p":
            if content.startswith("PHỤ LỤC II") and not content.startswith("PHỤ LỤC III"):
                started = True
            paragraphs.append(content)
            continue
        rows = content
        if not (started and rows and [" ".join(c) for c in rows[0]] == ["Các tiêu chí", "Thang điểm"]):
            if rows and [" ".join(c) for c in rows[0]] != ["STT", "Nội dung"]:
                paragraphs = []
            continue
        number = len(sheets) + 1
        heading_idx = next(
            (k for k, p in enumerate(paragraphs) if re.match(rf"^{number}\.\s", p) or p == f"{number}."), None
        )
        if heading_idx is None:
            raise ExtractError(f"sheet {number}: heading '{number}. …' not found before its table")
        heading = paragraphs[heading_idx]
        if heading == f"{number}.":
            heading = f"{heading} {paragraphs[heading_idx + 1]}"
        classification = next((p for p in paragraphs[heading_idx:] if p.startswith("(Sản phẩm")), "")
        knockout_text, knockouts = sheet_knockouts(number, paragraphs, fixes)
        parser = SheetParser(number, rows, fixes)
        body = parser.parse()
        for n, where, field in list(fixes.items):
            if n == number and field == "options":
                code = where.split(":", 1)[1]
                crit = next(
                    (c2 for p in body["parts"] for g in p["groups"] for c2 in g["criteria"] if c2["code"] == code),
                    None,
                )
                if crit is None:
                    raise ExtractError(f"sheet {number}: correction for missing criterion {code}")
                used = parser.fix(where, "options", [o["text"] for o in crit["options"]])
                crit["options"] = [
                    {"id": f"{code}-{k}", "text": text, "points": pts, "min_star": None, "case": None}
                    for k, (text, pts) in enumerate(used, start=1)
                ]
        sheets.append(
            {
                "number": number,
                "name": names[number],
                "heading": re.sub(r"\s+", " ", heading).strip(),
                "classification": classification.strip("() "),
                "product_sets": [number],
                "knockout_text": knockout_text,
                "knockouts": knockouts,
                "parts": body["parts"],
                "total": body["total"],
                # Every correction is proven used (see `unused` below), so the sheet lists all of its own.
                "corrections": [correction_json(c) for c in CORRECTIONS if c.sheet == number],
            }
        )
        paragraphs = []
    if len(sheets) != SHEET_COUNT:
        raise ExtractError(f"found {len(sheets)} criteria tables, expected {SHEET_COUNT}")
    stale = fixes.unused()
    if stale:
        raise ExtractError("corrections that matched nothing: " + "; ".join(f"{c.sheet} {c.where}" for c in stale))
    options = sum(len(c["options"]) for s in sheets for p in s["parts"] for g in p["groups"] for c in g["criteria"])
    synthesized = sum(len(c.used) for c in CORRECTIONS if c.field == "options")
    if options - synthesized != EXPECTED_OPTIONS:
        raise ExtractError(f"{options - synthesized} printed options read, the source has {EXPECTED_OPTIONS}")
    return {"source_sha256": hashlib.sha256(raw).hexdigest(), "sheets": sheets}


def cross_check_text(path: Path, sheets: list[dict[str, Any]]) -> None:
    """Compare every printed option's points and star mark with the plain-text edition of the same decision.

    The text edition runs table cells together separated by lines holding only "|"; an option cell starts with
    "□" (or the one "o") and the next cell holds its points. Both editions must agree before corrections.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("PHỤ LỤC II") and "III" not in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("PHỤ LỤC III"))
    cells, current = [], []
    for line in lines[start:end]:
        if line.strip() == "|":
            cells.append(" ".join(x.strip() for x in current).strip())
            current = []
        else:
            current.append(line)
    printed = []
    for i, cell in enumerate(cells):
        if cell.startswith(("□", "o ")):
            m = STARS.search(re.split(r"\s(?:Ghi chú|Chú ý)\s*:", cell)[0])
            printed.append((cells[i + 1].strip(), m.group(1).count("*") if m else None))
    ours = []
    for sheet in sheets:
        fixed = {c["where"]: c for c in sheet["corrections"]}
        for part in sheet["parts"]:
            for group in part["groups"]:
                for c in group["criteria"]:
                    added = fixed.get(f"criterion:{c['code']}")
                    if added and added["field"] == "options":  # options added by a correction
                        continue
                    for k, o in enumerate(c["options"], start=1):
                        fix = fixed.get(f"option:{c['code']}#{k}")
                        points = fix["printed"] if fix and fix["field"] == "points" else str(o["points"])
                        ours.append(((points, o["min_star"]), f"sheet {sheet['number']} option {o['id']}"))
    if len(printed) != len(ours):
        raise ExtractError(f"text edition has {len(printed)} options, HTML {len(ours)}")
    for (value, where), other in zip(ours, printed, strict=True):
        if value != other:
            raise ExtractError(f"{where}: HTML reads {value}, text edition {other}")


def correction_json(c: Correction) -> dict[str, Any]:
    return {"where": c.where, "field": c.field, "printed": c.printed, "used": c.used, "reason": c.reason}


def render(sheet: dict[str, Any], source_sha256: str) -> str:
    doc = {
        "rulebook": RULEBOOK,
        "source": {
            "document": "QĐ 26/2026/QĐ-TTg, Phụ lục II",
            "file": "qd-26-2026-ttg.html",
            "sha256": source_sha256,
            "generated_by": "scripts/extract_criteria.py",
        },
        **sheet,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    try:
        data = extract(args.source)
        text_edition = args.source.with_suffix(".txt")
        if text_edition.exists():
            cross_check_text(text_edition, data["sheets"])
    except ExtractError as exc:
        print(f"extract_criteria: {exc}", file=sys.stderr)
        return 2
    differ = []
    for sheet in data["sheets"]:
        path = args.out / f"sheet-{sheet['number']:02d}.json"
        text = render(sheet, data["source_sha256"])
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differ.append(path.name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if differ:
        print("differs from the source: " + ", ".join(differ), file=sys.stderr)
        return 1
    if not args.check:
        print(f"wrote {len(data['sheets'])} sheets to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
