"""The star of a product: computed in one place, with its reasons in words.

Two ways in, one result (`StarResult`):

    compute_stars(sheet, scorings, knockouts=())
        scorings: one `MemberScoring` per council member (criterion code → chosen option id; a criterion left
        out or set to None scores 0). Totals are summed here, on the server, from the options' points.
    compute_stars_from_totals(sheet, totals, consensus, knockouts=())
        when only the members' totals are known plus the options the council agreed on (criterion → option id).

and, for a producer's self-assessment or a council draft, `gap_to_next_star(sheet, selections)`: what it would
take to reach the next star.

The rule, step by step (each step adds a `Reason`):

1. **Average**: the arithmetic mean of the members' totals, cut (not rounded) to two decimals. Cutting keeps
   the figure shown equal to the figure judged: 69.996 shows as 69.99 and is a 3★ band, as the exact value is.
2. **Band** (Điều 3.3): 5★ from 90, 4★ from 70 to under 90, 3★ from 50, 2★ from 30, 1★ below (bands are data,
   `Rulebook.bands`).
3. **Minimum marks**: an option printed with ``***``/``****``/``*****`` is the least a criterion must score for
   3★/4★/5★. Minimums are cumulative (5★ needs the 3★ and 4★ marks too); the *minimum star* is the highest
   star whose marks, and all lower ones, are met. Levels 1★ and 2★ carry no marks, so missing a 3★ mark gives a
   minimum star of 2: not recognised.
4. **Final star** = `final_star(rulebook, band, minimum)`: with the rulebook flag ``star_rule`` set to
   ``lower_of_band_and_minimums`` (QĐ 26/2026 and the earlier rulebooks, see BRIEF §4) the lower of the two;
   ``band_only`` ignores the marks. This is the only place the two are combined.
5. **Knock-outs**: any knock-out (raised by the council, or automatic for a ``when_zero`` note) makes the dossier
   ineligible: no star at all (`final_star` is None).
6. **Recognition**: only stars from the rulebook's `certificate_min_star` (3★) get a decision and a certificate,
   from the level the rulebook names (province 3–4★, central 5★ under QĐ 26/2026).

**How the minimums are judged when members disagree: on the median.** For each criterion the points the
members gave are sorted and the middle value is taken (the lower middle for an even number of members); the
marks are checked against that value, and ``when_zero`` knock-outs fire when that value is 0. Equivalently: a
minimum counts as met when a strict majority of the members scored the criterion at or above the marked
option. Why not the mean of the points: a mark is a discrete fact (the label carries an electronic
traceability code or it does not) and a mean can sit between two options that mean different things. Why not
"every member": one member could then veto a star that the averaged total grants, which contradicts the
averaging the council practises for totals. The median follows the majority and ignores a single outlier.
With `compute_stars_from_totals` the council states the agreed options itself and those are used as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext, ngettext, pgettext

from ocop.rules.rulebooks import Rulebook, get_rulebook
from ocop.rules.sheets import Criterion, Knockout, Option, Sheet

TWO_PLACES = Decimal("0.01")
TOP_STAR = 5


class ScoringError(ValueError):
    """Input that does not fit the sheet: the message is translated and names the criterion or option."""


# --- Inputs -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberScoring:
    member: str
    selections: Mapping[str, str | None]  # criterion code → option id (None: no option, 0 points)


def resolve_selections(sheet: Sheet, selections: Mapping[str, str | None]) -> dict[str, Option | None]:
    """Every criterion of the sheet → the chosen Option or None; ScoringError for anything not on the sheet."""
    for code, option_id in selections.items():
        criterion = sheet.criterion(code)
        if criterion is None:
            raise ScoringError(
                gettext("Criterion %(code)s is not on criteria sheet %(sheet)s.")
                % {"code": code, "sheet": sheet.number}
            )
        if option_id is not None and criterion.option(option_id) is None:
            raise ScoringError(
                gettext("“%(option)s” is not an option of criterion %(code)s.") % {"option": option_id, "code": code}
            )
    return {
        c.code: (c.option(selections[c.code]) if selections.get(c.code) is not None else None) for c in sheet.criteria
    }


def total_of(sheet: Sheet, selections: Mapping[str, str | None]) -> int:
    """A scoring's total: the sum of the chosen options' points."""
    return sum(o.points for o in resolve_selections(sheet, selections).values() if o is not None)


def _points(chosen: Mapping[str, Option | None]) -> dict[str, int]:
    return {code: (o.points if o is not None else 0) for code, o in chosen.items()}


def median_low(values: Sequence[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


# --- Reasons ----------------------------------------------------------------------------------------------------
def _reason_texts() -> dict[str, str]:
    # Looked up when a message is rendered, so it comes out in the reader's language.
    return {
        "band": gettext("%(average)s points fall in the %(star)s★ band (%(lower)s to under %(upper)s points)."),
        "band_top": gettext("%(average)s points fall in the %(star)s★ band (%(lower)s points or more)."),
        "minimum_missed": gettext("%(star)s★ minimum of criterion %(code)s not met: %(option)s"),
        "minimums_met": gettext("Every minimum mark up to %(star)s★ is met."),
        "lower_of": gettext("Final star: the lower of the band (%(band)s★) and the minimum marks (%(minimum)s★)."),
        "band_only": gettext("This rulebook rates on the points band alone; the minimum marks are not applied."),
        "knockout": gettext("Dossier rejected: %(text)s"),
        "knockout_zero": gettext("Dossier rejected: criterion %(code)s scored 0 points. %(text)s"),
        "not_recognised": gettext("%(star)s★ is not recognised: no decision and no certificate."),
        "recognised": gettext("%(star)s★, recognised at %(level)s level."),
    }


def level_label(level: str) -> str:
    """The certifying level in words: "province" → "tỉnh" (as in "cấp tỉnh")."""
    labels = {
        "district": pgettext("certifying level", "district"),
        "province": pgettext("certifying level", "province"),
        "central": pgettext("certifying level", "central"),
    }
    return labels.get(level, level)


@dataclass(frozen=True)
class Reason:
    """One sentence of the explanation: a stable code, its parameters, and the text in the active language."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        params = {k: formats.localize(v) if isinstance(v, Decimal) else v for k, v in self.params.items()}
        if "level" in params:
            params["level"] = level_label(params["level"])
        if self.code == "average":
            text = ngettext(
                "Total of the only member: %(average)s points.",
                "Average of %(members)s members' totals: %(average)s points.",
                params["members"],
            )
            return text % params
        return _reason_texts()[self.code] % params

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class MissedMinimum:
    criterion: Criterion
    star: int
    required: Option  # the marked option whose points were not reached
    points: int  # the points the criterion got (consensus)

    def reason(self) -> Reason:
        return Reason("minimum_missed", {"star": self.star, "code": self.criterion.code, "option": self.required.text})


# --- The rule ---------------------------------------------------------------------------------------------------
def final_star(rulebook: Rulebook, band_star: int, minimum_star: int) -> int:
    """THE rule combining the points band with the minimum marks, chosen by the rulebook's ``star_rule``."""
    if rulebook.star_rule == "band_only":
        return band_star
    if rulebook.star_rule == "lower_of_band_and_minimums":
        return min(band_star, minimum_star)
    raise ValueError(f"unknown star rule {rulebook.star_rule!r}")


def minimum_star(sheet: Sheet, points: Mapping[str, int]) -> tuple[int, tuple[MissedMinimum, ...]]:
    """The highest star whose minimum marks (and all lower ones) are met, and every mark that is missed."""
    missed = []
    for criterion in sheet.criteria:
        got = points.get(criterion.code, 0)
        for mark in criterion.marks:
            if got < mark.points:
                assert mark.min_star is not None
                missed.append(MissedMinimum(criterion, mark.min_star, mark, got))
    missed.sort(key=lambda m: (m.star, _order(sheet, m.criterion)))
    return (min(m.star for m in missed) - 1 if missed else TOP_STAR), tuple(missed)


def _order(sheet: Sheet, criterion: Criterion) -> int:
    return sheet.criteria.index(criterion)


def triggered_knockouts(sheet: Sheet, points: Mapping[str, int]) -> tuple[tuple[Knockout, str], ...]:
    """Knock-outs that fire by themselves: a `when_zero` note whose criteria include one scored 0."""
    fired = []
    for knockout in sheet.all_knockouts():
        zero = next((code for code in knockout.when_zero if points.get(code, 0) == 0), None)
        if zero is not None:
            fired.append((knockout, zero))
    return tuple(fired)


@dataclass(frozen=True)
class StarResult:
    rulebook: str
    sheet: int
    totals: tuple[Decimal, ...]
    average: Decimal
    spread: Decimal
    band_star: int
    minimum_star: int
    missed_minimums: tuple[MissedMinimum, ...]
    knockouts: tuple[Knockout, ...]
    eligible: bool
    final_star: int | None  # None when a knock-out made the dossier ineligible
    recognised: bool
    certifying_level: str | None
    consensus: Mapping[str, int]  # criterion → points the minimums were judged on
    reasons: tuple[Reason, ...]
    rule: str

    @property
    def members(self) -> int:
        return len(self.totals)

    def messages(self) -> list[str]:
        return [r.message for r in self.reasons]


def _result(
    sheet: Sheet,
    rulebook: Rulebook,
    totals: Sequence[Decimal],
    consensus: Mapping[str, int],
    knockout_codes: Iterable[str],
) -> StarResult:
    if not totals:
        raise ScoringError(gettext("At least one member's scoring is needed."))
    for total in totals:
        if not Decimal(0) <= total <= sheet.total:
            raise ScoringError(
                gettext("A member's total must be between 0 and %(max)s points, not %(total)s.")
                % {"max": sheet.total, "total": total}
            )
    raised = []
    for code in dict.fromkeys(knockout_codes):
        knockout = sheet.knockout(code)
        if knockout is None:
            raise ScoringError(
                gettext("“%(code)s” is not a knock-out condition of criteria sheet %(sheet)s.")
                % {"code": code, "sheet": sheet.number}
            )
        raised.append(knockout)
    reasons: list[Reason] = []
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(TWO_PLACES, rounding=ROUND_DOWN)
    reasons.append(Reason("average", {"members": len(totals), "average": average}))
    band_star = rulebook.band_for(average)
    band, upper = rulebook.band(band_star), rulebook.band_upper(band_star)
    assert band is not None
    if upper is None:
        reasons.append(Reason("band_top", {"average": average, "star": band_star, "lower": band.lower}))
    else:
        reasons.append(Reason("band", {"average": average, "star": band_star, "lower": band.lower, "upper": upper}))

    min_star, missed = minimum_star(sheet, consensus)
    if rulebook.star_rule == "band_only":
        reasons.append(Reason("band_only"))
    else:
        reasons.extend(m.reason() for m in missed if m.star <= band_star)
        if min_star >= band_star:
            reasons.append(Reason("minimums_met", {"star": band_star}))
        reasons.append(Reason("lower_of", {"band": band_star, "minimum": min_star}))
    star = final_star(rulebook, band_star, min_star)

    knockouts = list(raised)
    for knockout in raised:
        reasons.append(Reason("knockout", {"text": knockout.text}))
    for knockout, zero in triggered_knockouts(sheet, consensus):
        if knockout not in knockouts:
            knockouts.append(knockout)
            reasons.append(Reason("knockout_zero", {"code": zero, "text": knockout.text}))
    eligible = not knockouts
    recognised = eligible and rulebook.certifies(star)
    level = rulebook.level_for(star) if recognised else None
    if eligible:
        if recognised:
            reasons.append(Reason("recognised", {"star": star, "level": level}))
        else:
            reasons.append(Reason("not_recognised", {"star": star}))
    values = [Decimal(t) for t in totals]
    return StarResult(
        rulebook=rulebook.code,
        sheet=sheet.number,
        totals=tuple(values),
        average=average,
        spread=max(values) - min(values),
        band_star=band_star,
        minimum_star=min_star,
        missed_minimums=missed,
        knockouts=tuple(knockouts),
        eligible=eligible,
        final_star=star if eligible else None,
        recognised=recognised,
        certifying_level=level,
        consensus=dict(consensus),
        reasons=tuple(reasons),
        rule=rulebook.star_rule,
    )


def compute_stars(
    sheet: Sheet,
    scorings: Sequence[MemberScoring],
    knockouts: Iterable[str] = (),
    rulebook: Rulebook | None = None,
) -> StarResult:
    """The council's result from each member's chosen options (minimums judged on the median per criterion)."""
    rulebook = rulebook or get_rulebook(sheet.rulebook)
    if not scorings:
        raise ScoringError(gettext("At least one member's scoring is needed."))
    chosen = [_points(resolve_selections(sheet, s.selections)) for s in scorings]
    totals = [Decimal(sum(points.values())) for points in chosen]
    consensus = {c.code: median_low([points[c.code] for points in chosen]) for c in sheet.criteria}
    return _result(sheet, rulebook, totals, consensus, knockouts)


def compute(
    sheet: Sheet,
    scorings: Sequence[MemberScoring | Mapping[str, str | None]],
    knockouts: Iterable[str] = (),
    rulebook: Rulebook | None = None,
) -> StarResult:
    """Shorthand for `compute_stars` taking plain mappings (criterion code → option id) as well."""
    members = [
        s if isinstance(s, MemberScoring) else MemberScoring(member=str(i), selections=s)
        for i, s in enumerate(scorings, start=1)
    ]
    return compute_stars(sheet, members, knockouts=knockouts, rulebook=rulebook)


def compute_stars_from_totals(
    sheet: Sheet,
    totals: Sequence[Decimal | int | str],
    consensus: Mapping[str, str | None],
    knockouts: Iterable[str] = (),
    rulebook: Rulebook | None = None,
) -> StarResult:
    """The result from the members' totals and the options the council agreed on for the minimum marks."""
    rulebook = rulebook or get_rulebook(sheet.rulebook)
    values = []
    for total in totals:
        try:
            values.append(Decimal(str(total)))
        except ArithmeticError:
            raise ScoringError(gettext("“%(total)s” is not a number of points.") % {"total": total}) from None
    return _result(sheet, rulebook, values, _points(resolve_selections(sheet, consensus)), knockouts)


# --- What it would take ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    criterion: Criterion
    current: Option | None
    target: Option
    gain: int  # points gained by this step


@dataclass(frozen=True)
class Gap:
    total: int
    result: StarResult
    next_star: int | None  # None at the top star
    threshold: Decimal | None  # the lowest total of the next star's band
    points_short: Decimal
    missing_minimums: tuple[MissedMinimum, ...]  # marks still to meet for the next star
    steps: tuple[Step, ...]  # every criterion's next option up, most points per step first
    plan: tuple[Step, ...]  # one way there: the missing minimums first, then the steps with the most points
    reachable: bool


def _next_step(criterion: Criterion, current: Option | None) -> Step | None:
    higher = criterion.next_options(current)
    if not higher:
        return None
    target = higher[0]
    return Step(criterion, current, target, target.points - (current.points if current else 0))


def gap_to_next_star(
    sheet: Sheet,
    selections: Mapping[str, str | None],
    knockouts: Iterable[str] = (),
    rulebook: Rulebook | None = None,
) -> Gap:
    """For one scoring (self-assessment, or the council's agreed options): the way to the next star.

    `steps` lists, for every criterion below its maximum, the next option up and the points it adds, biggest
    gain first (ties in sheet order). `plan` is a suggestion, not an optimum: first raise every criterion whose
    mark for the next star (or a lower one) is missed to that mark, then take the biggest remaining steps one at
    a time until the total reaches the next band. Knock-outs are reported in `result` but do not change the plan.
    """
    rulebook = rulebook or get_rulebook(sheet.rulebook)
    chosen = resolve_selections(sheet, selections)
    points = _points(chosen)
    total = sum(points.values())
    result = _result(sheet, rulebook, [Decimal(total)], points, knockouts)
    steps = tuple(
        sorted(
            (s for c in sheet.criteria if (s := _next_step(c, chosen[c.code])) is not None),
            key=lambda s: (-s.gain, _order(sheet, s.criterion)),
        )
    )
    star = final_star(rulebook, result.band_star, result.minimum_star)
    if star >= TOP_STAR:
        return Gap(total, result, None, None, Decimal(0), (), steps, (), True)
    target_star = star + 1
    band = rulebook.band(target_star)
    assert band is not None
    threshold = band.lower
    missing = tuple(m for m in result.missed_minimums if m.star <= target_star)
    if rulebook.star_rule == "band_only":
        missing = ()

    state = dict(chosen)
    plan: list[Step] = []
    for criterion in dict.fromkeys(m.criterion for m in missing):
        required = criterion.minimum_for(target_star)
        assert required is not None
        current = state[criterion.code]
        plan.append(Step(criterion, current, required, required.points - (current.points if current else 0)))
        state[criterion.code] = required
    reached = sum(o.points for o in state.values() if o is not None)
    while reached < threshold:
        candidates = [s for c in sheet.criteria if (s := _next_step(c, state[c.code])) is not None]
        if not candidates:
            break
        best = min(candidates, key=lambda s: (-s.gain, _order(sheet, s.criterion)))
        plan.append(best)
        state[best.criterion.code] = best.target
        reached += best.gain
    return Gap(
        total=total,
        result=result,
        next_star=target_star,
        threshold=threshold,
        points_short=max(Decimal(0), threshold - total),
        missing_minimums=missing,
        steps=steps,
        plan=tuple(plan),
        reachable=reached >= threshold,
    )
