"""Shapes of the public API's answers (they mirror the rulebook and sheet files in ocop/rules/data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class Error(Schema):
    detail: str
    code: str


class RulebookSummary(Schema):
    code: str
    title: str
    aliases: list[str]
    valid_from: dt.date
    valid_until: dt.date | None
    in_force: bool
    parts: dict[str, int]
    sheets: int
    url: str
    page: str


class KnockoutOut(Schema):
    code: str
    text: str
    when_zero: list[str] = []


class OptionOut(Schema):
    id: str
    text: str
    points: int
    min_star: int | None = None
    case: str | None = None


class CaseOut(Schema):
    code: str
    title: str


class CriterionOut(Schema):
    code: str
    title: str
    description: str = ""
    max: int
    requirement: str = ""
    notes: list[str] = []
    knockouts: list[KnockoutOut] = []
    cases_note: str = ""
    cases: list[CaseOut] = []
    options: list[OptionOut]


class SectionOut(Schema):
    code: str
    title: str
    description: str = ""
    max: int
    criteria: list[str]


class GroupOut(Schema):
    number: int
    title: str
    description: str = ""
    max: int
    requirement: str = ""
    notes: list[str] = []
    knockouts: list[KnockoutOut] = []
    sections: list[SectionOut] = []
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    title: str
    max: int
    groups: list[GroupOut]


class CorrectionOut(Schema):
    where: str
    field: str
    printed: Any = None
    used: Any = None
    reason: str


class SheetOut(Schema):
    rulebook: str
    number: int
    name: str
    heading: str = ""
    classification: str = ""
    product_sets: list[int]
    knockout_text: str = ""
    knockouts: list[KnockoutOut] = []
    parts: list[PartOut]
    total: int
    corrections: list[CorrectionOut] = []
    source: dict[str, str] | None = None


class RulebookOut(Schema):
    """The rulebook file as published, with every criteria sheet embedded."""

    code: str
    aliases: list[str] = []
    title: str
    instrument: dict[str, Any] = {}
    valid_from: dt.date
    valid_until: dt.date | None = None
    replaces: str | None = None
    parts: dict[str, int]
    total: int
    star_bands: list[dict[str, Any]]
    star_rule: str
    minimums_judged_on: str
    certificate_min_star: int
    certifying_level: dict[str, str]
    revoking_level: dict[str, str] = {}
    procedure: dict[str, Any] = {}
    council: dict[str, Any] | None = None
    rounds: dict[str, Any] | None = None
    transition: dict[str, Any] | None = None
    revocation_grounds: list[dict[str, Any]] = []
    product_set_count: int | None = None
    note: str = ""
    sheets: list[SheetOut]
