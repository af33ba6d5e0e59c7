"""Criteria sheets (bộ tiêu chí kiêm phiếu đánh giá) as frozen dataclasses, loaded from JSON and validated.

The tree, as printed in Phụ lục II of each rulebook::

    Sheet ── Part (A 40 / B 25 / C 35) ── Group ("1. TỔ CHỨC SẢN XUẤT", 18) ── Criterion ("1.1", 3) ── Option

* A **criterion** is what a council member scores: exactly one of its options, or none (0 points; many criteria
  print no 0-point option, so "nothing applies" is a legitimate answer). A group printed with options directly
  under it (e.g. "7. DINH DƯỠNG") is one criterion whose code is the group number ("7").
* A **section** only groups criteria of a three-level sheet ("6.1 Ngoại hình" over 6.1.1 and 6.1.2 in the tea
  sheet); it carries a title and a maximum but is never scored itself.
* An **option** may carry `min_star` 3, 4 or 5 (printed ``***``, ``****``, ``*****``): to reach that star the
  criterion must score at least this option's points (see `Criterion.minimum_for` and `ocop.rules.stars`).
* Some criteria offer alternative **cases** (tourism sheet, "a. Trường hợp 1 …" / "b. Trường hợp 2 …"); an option
  then belongs to one case and the member picks the case that fits the product.
* **Knock-outs**: the sheet's "Hồ sơ bị loại khi" conditions (`Sheet.knockouts`, codes such as "forged-dossier")
  and criterion notes that reject the dossier or stop the evaluation (`Criterion.knockouts`, codes such as
  "6.1:impurities"). A knock-out with `when_zero` is raised by itself when one of the listed criteria scores 0.

`load_sheet()` reads one file and validates it; every structural or arithmetic error raises `SheetError` naming
the file and the path inside it (``sheet-04.json: parts[2].groups[1].criteria[0].options[2].points: …``).
This module has no Django dependency, so `scripts/extract_criteria.py` can use it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

STAR_MARKS = (3, 4, 5)


class SheetError(ValueError):
    """A criteria sheet file that cannot be used: names the file and the place inside it."""


@dataclass(frozen=True)
class Option:
    id: str  # unique within the sheet: criterion code + "-" + position ("2.3-3")
    text: str  # as printed, without the star marks
    points: int
    min_star: int | None = None  # 3, 4 or 5 when printed with ***, **** or *****
    case: str | None = None  # "a"/"b" when the criterion has alternative cases


@dataclass(frozen=True)
class Case:
    code: str
    title: str


@dataclass(frozen=True)
class Knockout:
    code: str
    text: str
    # Raised automatically when any of these criteria scores 0 (printed "if 0 points at one of the above").
    when_zero: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    code: str  # "1.1", "6.1.2", or a group number ("7") for a group scored as one criterion
    title: str
    max: int
    options: tuple[Option, ...]
    description: str = ""
    requirement: str = ""  # "Yêu cầu: …"
    notes: tuple[str, ...] = ()  # "Ghi chú: …", "Chỉ áp dụng khi …"
    knockouts: tuple[Knockout, ...] = ()
    cases_note: str = ""
    cases: tuple[Case, ...] = ()

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def marks(self) -> tuple[Option, ...]:
        """Options carrying a minimum mark, lowest star first."""
        return tuple(sorted((o for o in self.options if o.min_star), key=lambda o: (o.min_star, o.points)))

    def minimum_for(self, star: int) -> Option | None:
        """The option whose points this criterion must reach for `star`, or None when nothing is required.

        Minimums are cumulative: a 5★ product must also meet the 3★ and 4★ marks, so the requirement for a star
        is the highest-scoring option marked for that star or any lower one.
        """
        marked = [o for o in self.options if o.min_star is not None and o.min_star <= star]
        return max(marked, key=lambda o: o.points) if marked else None

    def next_options(self, current: Option | None) -> tuple[Option, ...]:
        """Options scoring more than `current` (same case when it has one), cheapest first."""
        floor = current.points if current else 0
        return tuple(
            sorted(
                (o for o in self.options if o.points > floor and (current is None or o.case == current.case)),
                key=lambda o: o.points,
            )
        )


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    max: int
    criteria: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Group:
    number: int
    title: str
    max: int
    criteria: tuple[Criterion, ...]
    description: str = ""
    requirement: str = ""
    notes: tuple[str, ...] = ()
    knockouts: tuple[Knockout, ...] = ()
    sections: tuple[Section, ...] = ()

    def section_of(self, code: str) -> Section | None:
        return next((s for s in self.sections if code in s.criteria), None)


@dataclass(frozen=True)
class Part:
    code: str  # "A", "B", "C"
    title: str
    max: int
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Correction:
    """A place where the data differs from the printed text, and why (see scripts/extract_criteria.py)."""

    where: str
    field: str
    printed: Any
    used: Any
    reason: str


@dataclass(frozen=True)
class Sheet:
    rulebook: str
    number: int
    name: str
    parts: tuple[Part, ...]
    total: int
    product_sets: tuple[int, ...]
    heading: str = ""
    classification: str = ""
    knockout_text: str = ""
    knockouts: tuple[Knockout, ...] = ()
    corrections: tuple[Correction, ...] = ()
    source: Mapping[str, str] | None = None
    # The file as read: what the JSON download and the API serve, word for word.
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(g for p in self.parts for g in p.groups)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def criterion(self, code: str) -> Criterion | None:
        return self.criteria_by_code.get(code)

    @cached_property
    def criteria_by_code(self) -> dict[str, Criterion]:
        # cached_property writes to the instance __dict__ directly, which a frozen dataclass allows.
        return {c.code: c for c in self.criteria}

    def all_knockouts(self) -> tuple[Knockout, ...]:
        """The sheet's own knock-outs, then those of its groups and criteria, in printed order."""
        found = list(self.knockouts)
        for g in self.groups:
            found.extend(g.knockouts)
            for c in g.criteria:
                found.extend(c.knockouts)
        return tuple(found)

    def knockout(self, code: str) -> Knockout | None:
        return next((k for k in self.all_knockouts() if k.code == code), None)

    def part_of(self, criterion: Criterion) -> Part:
        return next(p for p in self.parts for g in p.groups if criterion in g.criteria)


# --- Loading ----------------------------------------------------------------------------------------------------
class _Reader:
    """Typed access to a JSON tree that reports the path of whatever is wrong."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, path: str, message: str) -> SheetError:
        return SheetError(f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}")

    def obj(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, "expected an object")
        return value

    def field(self, node: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = ...):
        where = f"{path}.{key}" if path else key
        if key not in node:
            if default is ...:
                raise self.error(where, "missing")
            return default
        value = node[key]
        # bool is an int in Python; points and maxima must be real integers.
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(where, f"expected {names}, found {type(value).__name__} {value!r}")
        return value

    def items(self, node: Mapping[str, Any], key: str, path: str, default: Any = ...) -> Iterator[tuple[Any, str]]:
        values = self.field(node, key, path, list, [] if default is not ... else ...)
        base = f"{path}.{key}" if path else key
        for i, value in enumerate(values):
            yield value, f"{base}[{i}]"

    def text(self, node: Mapping[str, Any], key: str, path: str, required: bool = False) -> str:
        value = self.field(node, key, path, str, ... if required else "")
        if required and not value.strip():
            raise self.error(f"{path}.{key}" if path else key, "empty")
        return value

    def points(self, node: Mapping[str, Any], key: str, path: str) -> int:
        value = self.field(node, key, path, int)
        if value < 0:
            raise self.error(f"{path}.{key}", f"negative points {value}")
        return value


def _notes(r: _Reader, node: Mapping[str, Any], path: str) -> tuple[str, ...]:
    notes = r.field(node, "notes", path, list, [])
    if not all(isinstance(n, str) for n in notes):
        raise r.error(f"{path}.notes", "expected a list of texts")
    return tuple(notes)


def _knockouts(r: _Reader, node: Mapping[str, Any], path: str) -> tuple[Knockout, ...]:
    found = []
    for item, where in r.items(node, "knockouts", path, default=[]):
        item = r.obj(item, where)
        when_zero = tuple(r.field(item, "when_zero", where, list, []))
        if not all(isinstance(code, str) for code in when_zero):
            raise r.error(f"{where}.when_zero", "expected criterion codes")
        found.append(Knockout(r.text(item, "code", where, True), r.text(item, "text", where, True), when_zero))
    return tuple(found)


def _criterion(r: _Reader, node: Mapping[str, Any], path: str) -> Criterion:
    options = []
    for item, where in r.items(node, "options", path):
        item = r.obj(item, where)
        min_star = r.field(item, "min_star", where, (int, type(None)), None)
        if min_star is not None and (isinstance(min_star, bool) or min_star not in STAR_MARKS):
            raise r.error(f"{where}.min_star", f"must be 3, 4, 5 or null, found {min_star!r}")
        options.append(
            Option(
                id=r.text(item, "id", where, True),
                text=r.text(item, "text", where, True),
                points=r.points(item, "points", where),
                min_star=min_star,
                case=r.field(item, "case", where, (str, type(None)), None),
            )
        )
    cases = []
    for item, where in r.items(node, "cases", path, default=[]):
        item = r.obj(item, where)
        cases.append(Case(r.text(item, "code", where, True), r.text(item, "title", where, True)))
    return Criterion(
        code=r.text(node, "code", path, True),
        title=r.text(node, "title", path, True),
        max=r.points(node, "max", path),
        options=tuple(options),
        description=r.text(node, "description", path),
        requirement=r.text(node, "requirement", path),
        notes=_notes(r, node, path),
        knockouts=_knockouts(r, node, path),
        cases_note=r.text(node, "cases_note", path),
        cases=tuple(cases),
    )


def _group(r: _Reader, node: Mapping[str, Any], path: str) -> Group:
    criteria = tuple(_criterion(r, r.obj(c, where), where) for c, where in r.items(node, "criteria", path))
    sections = []
    for item, where in r.items(node, "sections", path, default=[]):
        item = r.obj(item, where)
        codes = r.field(item, "criteria", where, list)
        sections.append(
            Section(
                code=r.text(item, "code", where, True),
                title=r.text(item, "title", where, True),
                max=r.points(item, "max", where),
                criteria=tuple(str(c) for c in codes),
                description=r.text(item, "description", where),
            )
        )
    return Group(
        number=r.points(node, "number", path),
        title=r.text(node, "title", path, True),
        max=r.points(node, "max", path),
        criteria=criteria,
        description=r.text(node, "description", path),
        requirement=r.text(node, "requirement", path),
        notes=_notes(r, node, path),
        knockouts=_knockouts(r, node, path),
        sections=tuple(sections),
    )


def sheet_from_dict(data: Any, file: str = "<sheet>") -> Sheet:
    """Build a Sheet from its JSON form without validating the arithmetic (see `validate_sheet`)."""
    r = _Reader(file)
    root = r.obj(data, "")
    parts = []
    for item, where in r.items(root, "parts", ""):
        item = r.obj(item, where)
        groups = tuple(_group(r, r.obj(g, gw), gw) for g, gw in r.items(item, "groups", where))
        parts.append(
            Part(
                r.text(item, "code", where, True),
                r.text(item, "title", where, True),
                r.points(item, "max", where),
                groups,
            )
        )
    corrections = []
    for item, where in r.items(root, "corrections", "", default=[]):
        item = r.obj(item, where)
        corrections.append(
            Correction(
                r.text(item, "where", where, True),
                r.text(item, "field", where, True),
                item.get("printed"),
                item.get("used"),
                r.text(item, "reason", where, True),
            )
        )
    sets = r.field(root, "product_sets", "", list)
    if not sets or not all(isinstance(s, int) and not isinstance(s, bool) for s in sets):
        raise r.error("product_sets", "expected a non-empty list of product set numbers")
    source = r.field(root, "source", "", dict, None)
    return Sheet(
        rulebook=r.text(root, "rulebook", "", True),
        number=r.points(root, "number", ""),
        name=r.text(root, "name", "", True),
        parts=tuple(parts),
        total=r.points(root, "total", ""),
        product_sets=tuple(sets),
        heading=r.text(root, "heading", ""),
        classification=r.text(root, "classification", ""),
        knockout_text=r.text(root, "knockout_text", ""),
        knockouts=_knockouts(r, root, ""),
        corrections=tuple(corrections),
        source=source,
        raw=root,
    )


def load_sheet(path: Path, parts: Mapping[str, int] | None = None, total: int = 100) -> Sheet:
    """Read and validate one sheet file; `parts` are the rulebook's part maxima ({"A": 40, "B": 25, "C": 35})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SheetError(f"{path.name}: cannot be read: {exc}") from exc
    sheet = sheet_from_dict(data, path.name)
    validate_sheet(sheet, parts=parts, total=total, file=path.name)
    return sheet


# --- Validation -------------------------------------------------------------------------------------------------
def validate_sheet(sheet: Sheet, parts: Mapping[str, int] | None = None, total: int = 100, file: str = "") -> None:
    """Check the arithmetic and the identities of a sheet; raise SheetError on the first problem.

    Parts have the rulebook's maxima and sum to `total`; the printed total is `total`; each group's maximum is
    the sum of its criteria's, each section's the sum of its criteria's; each criterion's best option (per case)
    equals its maximum and no option exceeds it; codes and option ids are unique; cases and `when_zero`
    references exist.
    """
    name = file or f"sheet {sheet.number}"

    def fail(path: str, message: str) -> SheetError:
        return SheetError(f"{name}: {path}: {message}")

    if sheet.total != total:
        raise fail("total", f"printed total is {sheet.total}, the rulebook needs {total}")
    if sum(p.max for p in sheet.parts) != total:
        raise fail("parts", f"parts sum to {sum(p.max for p in sheet.parts)}, not {total}")
    if parts is not None:
        found = {p.code: p.max for p in sheet.parts}
        if found != dict(parts):
            raise fail("parts", f"part maxima {found} differ from the rulebook's {dict(parts)}")
    seen_codes: set[str] = set()
    seen_options: set[str] = set()
    seen_groups: set[int] = set()
    for pi, part in enumerate(sheet.parts):
        ppath = f"parts[{pi}]"
        group_sum = sum(g.max for g in part.groups)
        if group_sum != part.max:
            raise fail(ppath, f"part {part.code} is worth {part.max} but its groups sum to {group_sum}")
        for gi, group in enumerate(part.groups):
            gpath = f"{ppath}.groups[{gi}]"
            if group.number in seen_groups:
                raise fail(gpath, f"group number {group.number} appears twice")
            seen_groups.add(group.number)
            if not group.criteria:
                raise fail(gpath, f"group {group.number} has no criteria")
            criteria_sum = sum(c.max for c in group.criteria)
            if criteria_sum != group.max:
                raise fail(gpath, f"group {group.number} is worth {group.max} but its criteria sum to {criteria_sum}")
            codes = {c.code for c in group.criteria}
            for si, section in enumerate(group.sections):
                unknown = set(section.criteria) - codes
                if unknown:
                    raise fail(f"{gpath}.sections[{si}]", f"section {section.code} lists unknown {sorted(unknown)}")
                section_sum = sum(c.max for c in group.criteria if c.code in section.criteria)
                if section_sum != section.max:
                    raise fail(
                        f"{gpath}.sections[{si}]",
                        f"section {section.code} is worth {section.max} but its criteria sum to {section_sum}",
                    )
            for ci, criterion in enumerate(group.criteria):
                _validate_criterion(criterion, f"{gpath}.criteria[{ci}]", group, seen_codes, seen_options, fail)
    knockout_codes = [k.code for k in sheet.all_knockouts()]
    if len(knockout_codes) != len(set(knockout_codes)):
        raise fail("knockouts", "a knock-out code appears twice")
    for k in sheet.all_knockouts():
        unknown = set(k.when_zero) - seen_codes
        if unknown:
            raise fail("knockouts", f"{k.code} refers to unknown criteria {sorted(unknown)}")


def _validate_criterion(criterion, path, group, seen_codes, seen_options, fail) -> None:
    code = criterion.code
    if code in seen_codes:
        raise fail(path, f"criterion code {code} appears twice")
    seen_codes.add(code)
    if code.split(".")[0] != str(group.number):
        raise fail(path, f"criterion {code} is not numbered under group {group.number}")
    if not criterion.options:
        raise fail(path, f"criterion {code} has no options")
    case_codes = {c.code for c in criterion.cases}
    for oi, option in enumerate(criterion.options):
        opath = f"{path}.options[{oi}]"
        if option.id in seen_options:
            raise fail(opath, f"option id {option.id} appears twice")
        seen_options.add(option.id)
        if option.points > criterion.max:
            raise fail(f"{opath}.points", f"{option.points} points exceed criterion {code}'s maximum {criterion.max}")
        if (option.case is None) != (not case_codes) or (option.case is not None and option.case not in case_codes):
            raise fail(f"{opath}.case", f"case {option.case!r} does not match criterion {code}'s cases")
    for case in case_codes or {None}:
        best = max(o.points for o in criterion.options if o.case == case)
        if best != criterion.max:
            label = f" (case {case})" if case else ""
            raise fail(path, f"criterion {code}{label}: best option is worth {best}, its maximum is {criterion.max}")
