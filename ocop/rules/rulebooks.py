"""Rulebooks: the instruments that say how OCOP products are scored and recognised, as versioned data.

Each rulebook is a folder under `ocop/rules/data/<code>/` holding `rulebook.json` (validity, star bands, star
rule, certifying level per star, deadlines, council rules, rounds, transition) and, for the rulebook in force,
its criteria sheets `sheet-NN.json` (generated from the legal text by `scripts/extract_criteria.py`). The files
are the single source: code never hard-codes a criterion, a band or a deadline.

    get_rulebook("qd-26-2026")          → Rulebook (aliases accepted, e.g. "qd-1489-2025")
    rulebook_for(date(2024, 3, 1))      → the rulebook in force that day (qd-148-2023), or None; a dossier
                                          follows the rulebook in force on the day it was filed
    transition_for(date(2026, 5, 1))    → Transition of QĐ 26/2026 Điều 12 (decision_deadline, extension_limit)
    all_rulebooks()                     → newest first
    rulebook.band_for(Decimal("70"))    → 4
    rulebook.sheet_for_set(26)          → the tourism sheet
    council_rules(rulebook, province)   → CouncilRules with the province's override applied (see models)

Everything is loaded and validated once per process (`load_rulebooks`); a broken file stops the loading with
an error naming the file and the place in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ocop.rules.sheets import Sheet, SheetError, load_sheet

DATA_DIR = Path(__file__).resolve().parent / "data"

# The star rules a rulebook may name (see ocop.rules.stars.final_star).
STAR_RULES = ("lower_of_band_and_minimums", "band_only")
# How minimum marks are judged when members disagree (see ocop.rules.stars); one rule is implemented.
MINIMUM_JUDGEMENTS = ("median",)
LEVELS = ("district", "province", "central")


class RulebookError(ValueError):
    """A rulebook file that cannot be used."""


class UnknownRulebook(LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Band:
    star: int
    lower: Decimal  # inclusive; the band runs up to the next band's lower bound (exclusive)
    note: str = ""


@dataclass(frozen=True)
class CouncilRules:
    """How a council's scores become one result: the mean of the members' totals, a quorum, a maximum spread."""

    aggregate: str = "mean"
    quorum_share: Decimal = Decimal("0.75")
    quorum_requires_chair: bool = True
    max_spread: Decimal = Decimal("10")
    overridden_by: str = ""  # the provincial decision that changed the defaults, if any

    def required_present(self, members: int) -> int:
        """Members who must take part: at least `quorum_share` of the council, rounded up."""
        return math.ceil(Decimal(members) * self.quorum_share)

    def quorum_met(self, members: int, present: int, chair_present: bool) -> bool:
        if members <= 0 or present <= 0:
            return False
        if self.quorum_requires_chair and not chair_present:
            return False
        return present >= self.required_present(members)

    @staticmethod
    def spread(totals: Iterable[Decimal | int]) -> Decimal:
        values = [Decimal(t) for t in totals]
        return max(values) - min(values) if values else Decimal(0)

    def spread_ok(self, totals: Iterable[Decimal | int]) -> bool:
        return self.spread(totals) <= self.max_spread


@dataclass(frozen=True)
class Procedure:
    commune_pre_check: bool = False
    commune_check_working_days: int | None = None
    central_threshold: Decimal | None = None
    certificate_validity_months: int | None = None
    reevaluation_earliest_days: int | None = None  # filed no earlier than this many days before expiry
    reevaluation_latest_days: int | None = None  # … and no later than this many
    reevaluation_decision_days: int | None = None
    reevaluation_by_written_opinion: bool = False
    revocation_days: int | None = None
    samples: int | None = None
    samples_exempt_sets: tuple[int, ...] = ()


@dataclass(frozen=True)
class Round:
    level: str  # "province" or "central"
    number: int
    proposals_by: tuple[int, int]  # (month, day)
    done_by: tuple[int, int]

    def dates(self, year: int) -> tuple[dt.date, dt.date]:
        """(proposals due, round closes) for the round that closes in `year`."""
        return dt.date(year, *self.proposals_by), dt.date(year, *self.done_by)


@dataclass(frozen=True)
class Transition:
    issued_certificates_stay_valid: bool
    pending_dossiers_filed_before: dt.date
    pending_follow_rulebook: str
    pending_first_or_upgrade_decided_within_days: int
    pending_reevaluation_decided_within_days: int
    pending_deadlines_counted_from: dt.date
    late_reevaluation_valid_until_decided_max_days_after_expiry: int
    previous_rulebook_expires_on: dt.date | None = None

    def applies_to(self, filed_on: dt.date) -> bool:
        """Whether a dossier filed on that day, and undecided when the new rulebook took effect, falls under it."""
        return filed_on < self.pending_dossiers_filed_before

    def decision_deadline(self, reevaluation: bool) -> dt.date:
        """The last day to decide such a dossier (QĐ 26/2026 Điều 12.2: 60 days, 30 for a re-evaluation)."""
        days = (
            self.pending_reevaluation_decided_within_days
            if reevaluation
            else self.pending_first_or_upgrade_decided_within_days
        )
        return self.pending_deadlines_counted_from + dt.timedelta(days=days)

    def extension_limit(self, expires_on: dt.date) -> dt.date:
        """How long a certificate stays valid when its re-evaluation missed the new window (Điều 12.3)."""
        return expires_on + dt.timedelta(days=self.late_reevaluation_valid_until_decided_max_days_after_expiry)


@dataclass(frozen=True)
class RevocationGround:
    code: str
    article: str
    text: str


@dataclass(frozen=True)
class Rulebook:
    code: str
    title: str
    valid_from: dt.date
    valid_until: dt.date | None
    parts: Mapping[str, int]
    total: int
    bands: tuple[Band, ...]  # highest star first
    star_rule: str
    minimums_judged_on: str
    certificate_min_star: int
    certifying_level: Mapping[int, str]
    revoking_level: Mapping[int, str]
    procedure: Procedure
    council: CouncilRules
    aliases: tuple[str, ...] = ()
    instrument: Mapping[str, Any] = field(default_factory=dict)
    replaces: str | None = None
    rounds: tuple[Round, ...] = ()
    extra_rounds_allowed: bool = False
    transition: Transition | None = None
    revocation_grounds: tuple[RevocationGround, ...] = ()
    sheets: tuple[Sheet, ...] = ()
    product_set_count: int | None = None
    note: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def number(self) -> str:
        return str(self.instrument.get("number", ""))

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def band_for(self, score: Decimal | int | str) -> int:
        """The star of the band a score falls in (bands are "from X to under Y"; 5★ runs up to 100)."""
        value = Decimal(score)
        for band in self.bands:
            if value >= band.lower:
                return band.star
        return self.bands[-1].star

    def band(self, star: int) -> Band | None:
        return next((b for b in self.bands if b.star == star), None)

    def band_upper(self, star: int) -> Decimal | None:
        """The exclusive upper bound of a star's band (None for the top band)."""
        higher = [b.lower for b in self.bands if b.star == star + 1]
        return higher[0] if higher else None

    def certifies(self, star: int) -> bool:
        return star >= self.certificate_min_star

    def level_for(self, star: int) -> str | None:
        """Which level recognises a star ("district", "province", "central"), None when it is not recognised."""
        return self.certifying_level.get(star)

    @property
    def has_sheets(self) -> bool:
        return bool(self.sheets)

    def sheet(self, number: int) -> Sheet | None:
        return next((s for s in self.sheets if s.number == number), None)

    def sheet_for_set(self, product_set_number: int) -> Sheet | None:
        return next((s for s in self.sheets if product_set_number in s.product_sets), None)

    def rounds_at(self, level: str) -> tuple[Round, ...]:
        return tuple(r for r in self.rounds if r.level == level)

    def revocation_ground(self, code: str) -> RevocationGround | None:
        return next((g for g in self.revocation_grounds if g.code == code), None)

    def as_json(self) -> dict[str, Any]:
        """The rulebook file with its sheets embedded, as served by the JSON download and the API."""
        data = dict(self.raw)
        data["sheets"] = [dict(s.raw) for s in self.sheets] if self.sheets else []
        return data


# --- Reading --------------------------------------------------------------------------------------------------
def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RulebookError(f"{where}: expected a date YYYY-MM-DD, found {value!r}") from None


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RulebookError(f"{where}: expected a number written as text, found {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise RulebookError(f"{where}: not a number: {value!r}") from None


def _int(value: Any, where: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulebookError(f"{where}: expected a whole number, found {value!r}")
    return value


def _month_day(value: Any, where: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in str(value).split("-"))
        dt.date(2024, month, day)  # a leap year accepts every real day
    except ValueError:
        raise RulebookError(f"{where}: expected MM-DD, found {value!r}") from None
    return month, day


def _levels(value: Any, where: str) -> dict[int, str]:
    if not isinstance(value, Mapping):
        raise RulebookError(f"{where}: expected an object star → level")
    levels = {}
    for star, level in value.items():
        if level not in LEVELS:
            raise RulebookError(f"{where}.{star}: unknown level {level!r} (expected one of {', '.join(LEVELS)})")
        levels[int(star)] = level
    return levels


def council_from_dict(data: Mapping[str, Any], where: str) -> CouncilRules:
    if data.get("aggregate", "mean") != "mean":
        raise RulebookError(f"{where}.aggregate: only the arithmetic mean is implemented")
    share = _decimal(data.get("quorum_share", "0.75"), f"{where}.quorum_share")
    if not Decimal(0) < share <= Decimal(1):
        raise RulebookError(f"{where}.quorum_share: must be above 0 and at most 1, found {share}")
    spread = _decimal(data.get("max_spread", "10"), f"{where}.max_spread")
    if spread < 0:
        raise RulebookError(f"{where}.max_spread: must not be negative")
    chair = data.get("quorum_requires_chair", True)
    if not isinstance(chair, bool):
        raise RulebookError(f"{where}.quorum_requires_chair: expected true or false")
    return CouncilRules(aggregate="mean", quorum_share=share, quorum_requires_chair=chair, max_spread=spread)


def _procedure(data: Mapping[str, Any], where: str) -> Procedure:
    window = data.get("reevaluation_window_days_before_expiry") or {}
    threshold = data.get("central_threshold")
    return Procedure(
        commune_pre_check=bool(data.get("commune_pre_check", False)),
        commune_check_working_days=_int(data.get("commune_check_working_days"), f"{where}.commune_check", True),
        central_threshold=_decimal(threshold, f"{where}.central_threshold") if threshold is not None else None,
        certificate_validity_months=_int(data.get("certificate_validity_months"), f"{where}.validity", True),
        reevaluation_earliest_days=_int(window.get("earliest"), f"{where}.reevaluation_window.earliest", True),
        reevaluation_latest_days=_int(window.get("latest"), f"{where}.reevaluation_window.latest", True),
        reevaluation_decision_days=_int(data.get("reevaluation_decision_days"), f"{where}.reevaluation", True),
        reevaluation_by_written_opinion=bool(data.get("reevaluation_by_written_opinion", False)),
        revocation_days=_int(data.get("revocation_days"), f"{where}.revocation_days", True),
        samples=_int(data.get("samples"), f"{where}.samples", True),
        samples_exempt_sets=tuple(data.get("samples_exempt_sets", ())),
    )


def _transition(data: Mapping[str, Any] | None, where: str) -> Transition | None:
    if not data:
        return None
    try:
        expires = data.get("previous_rulebook_expires_on")
        return Transition(
            issued_certificates_stay_valid=bool(data["issued_certificates_stay_valid"]),
            pending_dossiers_filed_before=_date(data["pending_dossiers_filed_before"], f"{where}.filed_before"),
            pending_follow_rulebook=str(data["pending_follow_rulebook"]),
            pending_first_or_upgrade_decided_within_days=int(data["pending_first_or_upgrade_decided_within_days"]),
            pending_reevaluation_decided_within_days=int(data["pending_reevaluation_decided_within_days"]),
            pending_deadlines_counted_from=_date(data["pending_deadlines_counted_from"], f"{where}.counted_from"),
            late_reevaluation_valid_until_decided_max_days_after_expiry=int(
                data["late_reevaluation_valid_until_decided_max_days_after_expiry"]
            ),
            previous_rulebook_expires_on=_date(expires, f"{where}.expires_on") if expires else None,
        )
    except KeyError as exc:
        raise RulebookError(f"{where}.{exc.args[0]}: missing") from None


def rulebook_from_dir(folder: Path) -> Rulebook:
    """Read and validate one rulebook folder (its rulebook.json and sheets)."""
    path = folder / "rulebook.json"
    name = f"{folder.name}/rulebook.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulebookError(f"{name}: cannot be read: {exc}") from exc
    if not isinstance(data, Mapping):
        raise RulebookError(f"{name}: expected an object")
    try:
        return _rulebook(folder, name, data)
    except KeyError as exc:
        raise RulebookError(f"{name}: {exc.args[0]}: missing") from None
    except SheetError as exc:
        raise RulebookError(f"{folder.name}/{exc}") from None


def _rulebook(folder: Path, name: str, data: Mapping[str, Any]) -> Rulebook:
    code = data["code"]
    if code != folder.name:
        raise RulebookError(f"{name}: code {code!r} differs from its folder {folder.name!r}")
    parts = data["parts"]
    if not isinstance(parts, Mapping) or not all(isinstance(v, int) for v in parts.values()):
        raise RulebookError(f"{name}: parts: expected an object part → maximum")
    total = _int(data.get("total", 100), f"{name}: total")
    if sum(parts.values()) != total:
        raise RulebookError(f"{name}: parts: {dict(parts)} sum to {sum(parts.values())}, not {total}")
    bands = tuple(
        Band(
            _int(b["star"], f"{name}: star_bands[{i}].star"),
            _decimal(b["from"], f"{name}: star_bands[{i}].from"),
            b.get("note", ""),
        )
        for i, b in enumerate(data["star_bands"])
    )
    if [b.star for b in bands] != [5, 4, 3, 2, 1]:
        raise RulebookError(f"{name}: star_bands: expected stars 5, 4, 3, 2, 1 in that order")
    if any(a.lower <= b.lower for a, b in zip(bands, bands[1:], strict=False)) or bands[-1].lower != 0:
        raise RulebookError(f"{name}: star_bands: lower bounds must fall strictly and the 1★ band start at 0")
    if bands[0].lower > total:
        raise RulebookError(f"{name}: star_bands: the 5★ band starts above the total {total}")
    star_rule = data["star_rule"]
    if star_rule not in STAR_RULES:
        raise RulebookError(f"{name}: star_rule: {star_rule!r} is not one of {', '.join(STAR_RULES)}")
    judged = data.get("minimums_judged_on", "median")
    if judged not in MINIMUM_JUDGEMENTS:
        raise RulebookError(f"{name}: minimums_judged_on: {judged!r} is not one of {', '.join(MINIMUM_JUDGEMENTS)}")
    min_star = _int(data["certificate_min_star"], f"{name}: certificate_min_star")
    certifying = _levels(data["certifying_level"], f"{name}: certifying_level")
    if sorted(certifying) != list(range(min_star, 6)):
        raise RulebookError(f"{name}: certifying_level must name a level for each star from {min_star} to 5")
    revoking = _levels(data.get("revoking_level", data["certifying_level"]), f"{name}: revoking_level")
    valid_from = _date(data["valid_from"], f"{name}: valid_from")
    valid_until = _date(data["valid_until"], f"{name}: valid_until") if data.get("valid_until") else None
    if valid_until is not None and valid_until < valid_from:
        raise RulebookError(f"{name}: valid_until is before valid_from")
    rounds_data = data.get("rounds") or {}
    rounds = tuple(
        Round(
            level,
            _int(r["round"], f"{name}: rounds.{level}[{i}].round"),
            _month_day(r["proposals_by"], f"{name}: rounds.{level}[{i}].proposals_by"),
            _month_day(r["done_by"], f"{name}: rounds.{level}[{i}].done_by"),
        )
        for level in ("province", "central")
        for i, r in enumerate(rounds_data.get(level, ()))
    )
    sheets: tuple[Sheet, ...] = ()
    if data.get("sheets"):
        sheets = tuple(load_sheet(p, parts=parts, total=total) for p in sorted(folder.glob(str(data["sheets"]))))
        _validate_sheets(name, code, sheets, data.get("product_set_count"))
    grounds = tuple(
        RevocationGround(g["code"], g.get("article", ""), g["text"]) for g in data.get("revocation_grounds") or ()
    )
    return Rulebook(
        code=code,
        title=data["title"],
        valid_from=valid_from,
        valid_until=valid_until,
        parts=dict(parts),
        total=total,
        bands=bands,
        star_rule=star_rule,
        minimums_judged_on=judged,
        certificate_min_star=min_star,
        certifying_level=certifying,
        revoking_level=revoking,
        procedure=_procedure(data.get("procedure") or {}, f"{name}: procedure"),
        council=council_from_dict(data.get("council") or {}, f"{name}: council"),
        aliases=tuple(data.get("aliases") or ()),
        instrument=dict(data.get("instrument") or {}),
        replaces=data.get("replaces"),
        rounds=rounds,
        extra_rounds_allowed=bool(rounds_data.get("extra_rounds_allowed", False)),
        transition=_transition(data.get("transition"), f"{name}: transition"),
        revocation_grounds=grounds,
        sheets=sheets,
        product_set_count=data.get("product_set_count"),
        note=data.get("note", ""),
        raw=data,
    )


def _validate_sheets(name: str, code: str, sheets: Sequence[Sheet], set_count: int | None) -> None:
    numbers = [s.number for s in sheets]
    if numbers != list(range(1, len(sheets) + 1)):
        raise RulebookError(f"{name}: sheets must be numbered 1 … {len(sheets)}, found {numbers}")
    for sheet in sheets:
        if sheet.rulebook != code:
            raise RulebookError(f"{name}: sheet {sheet.number} belongs to rulebook {sheet.rulebook!r}")
    served: dict[int, int] = {}
    for sheet in sheets:
        for product_set in sheet.product_sets:
            if product_set in served:
                raise RulebookError(
                    f"{name}: product set {product_set} is served by sheets {served[product_set]} and {sheet.number}"
                )
            served[product_set] = sheet.number
    if set_count is not None and sorted(served) != list(range(1, set_count + 1)):
        expected = set(range(1, set_count + 1))
        missing, unknown = sorted(expected - set(served)), sorted(set(served) - expected)
        raise RulebookError(f"{name}: product sets without a sheet: {missing}; unknown product sets: {unknown}")


# --- The registry of rulebooks -------------------------------------------------------------------------------
def read_rulebooks(data_dir: Path = DATA_DIR) -> tuple[Rulebook, ...]:
    """Every rulebook under `data_dir`, newest first, checked against each other."""
    books = tuple(
        sorted(
            (rulebook_from_dir(p.parent) for p in data_dir.glob("*/rulebook.json")),
            key=lambda b: b.valid_from,
            reverse=True,
        )
    )
    names: dict[str, str] = {}
    for book in books:
        for name in (book.code, *book.aliases):
            if name in names:
                raise RulebookError(f"{name!r} names both {names[name]} and {book.code}")
            names[name] = book.code
    for newer, older in zip(books, books[1:], strict=False):
        if older.valid_until is None or older.valid_until >= newer.valid_from:
            raise RulebookError(f"{older.code} is still in force when {newer.code} starts on {newer.valid_from}")
    for book in books:
        if book.transition and book.transition.pending_follow_rulebook not in names:
            raise RulebookError(
                f"{book.code}: transition names unknown rulebook {book.transition.pending_follow_rulebook}"
            )
    return books


@functools.cache
def load_rulebooks() -> tuple[Rulebook, ...]:
    return read_rulebooks()


def all_rulebooks() -> tuple[Rulebook, ...]:
    return load_rulebooks()


def get_rulebook(code: str) -> Rulebook:
    """The rulebook with this code or alias; UnknownRulebook otherwise."""
    for book in load_rulebooks():
        if code == book.code or code in book.aliases:
            return book
    raise UnknownRulebook(code)


def rulebook_for(day: dt.date) -> Rulebook | None:
    """The rulebook in force on `day` for new dossiers and decisions (None before the first one)."""
    return next((b for b in load_rulebooks() if b.in_force_on(day)), None)


def transition_for(filed_on: dt.date) -> Transition | None:
    """The transition rule a dossier filed on `filed_on` falls under if it is still undecided when a newer
    rulebook takes effect (the earliest such rulebook), or None."""
    for book in reversed(load_rulebooks()):
        if book.transition and book.transition.applies_to(filed_on):
            return book.transition
    return None


def current_rulebook() -> Rulebook:
    return load_rulebooks()[0]
