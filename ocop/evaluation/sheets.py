"""The dossier's criteria sheet, read through `ocop.rules`: the one bridge between dossiers and rulebooks.

Everything the dossier pages need from a sheet (its criteria in order, checking
a self-scoring, the projected total and star with reasons, the gap to the next
star) goes through here, so the pages never walk the sheet data themselves and
the star rule stays in `ocop.rules.stars`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ocop.rules.sheets import Criterion, Sheet


def sheet_for(dossier: Any) -> Sheet:
    """The criteria sheet of the dossier's rulebook and sheet number."""
    from ocop.rules.rulebooks import get_rulebook

    sheet = get_rulebook(dossier.rulebook).sheet(dossier.sheet)
    if sheet is None:  # pragma: no cover - open_dossier only picks sheets that exist
        raise LookupError(f"rulebook {dossier.rulebook} has no sheet {dossier.sheet}")
    return sheet


def criterion_codes(sheet: Sheet) -> list[str]:
    return [c.code for c in sheet.criteria]


def unscored(sheet: Sheet, selections: Mapping[str, Any]) -> list[str]:
    """Codes of the criteria without a choice (every criterion must be self-scored before submission)."""
    return [c.code for c in sheet.criteria if not selections.get(c.code)]


def invalid_selections(sheet: Sheet, selections: Mapping[str, Any]) -> list[str]:
    """Why some {criterion: option} pairs do not fit the sheet, in words (empty: all fit)."""
    errors = []
    for code, option_id in selections.items():
        if not option_id:
            continue
        criterion = sheet.criterion(str(code))
        if criterion is None:
            errors.append(
                _("Criterion %(code)s is not on criteria sheet %(sheet)s.") % {"code": code, "sheet": sheet.number}
            )
        elif not isinstance(option_id, str) or criterion.option(option_id) is None:
            errors.append(_("The choice for criterion %(code)s is not one of its options.") % {"code": code})
    return errors


def valid_selections(sheet: Sheet, selections: Mapping[str, Any]) -> dict[str, str]:
    """The pairs that fit the sheet (anything else is left out of a projection, and refused on saving)."""
    out = {}
    for code, option_id in selections.items():
        criterion = sheet.criterion(str(code))
        if criterion is not None and isinstance(option_id, str) and criterion.option(option_id) is not None:
            out[criterion.code] = option_id
    return out


@dataclass
class Projection:
    """The star the producer's own scoring would give, from `ocop.rules.stars` (the one place of the rule)."""

    total: Decimal
    star: int  # 0 when the scoring would not be recognised or a knock-out applies
    recognised: bool
    reasons: list[str] = field(default_factory=list)
    part_totals: dict[str, int] = field(default_factory=dict)
    complete: bool = True


def _gap(sheet: Sheet, selections: Mapping[str, Any]) -> Any:
    from ocop.rules import stars

    return stars.gap_to_next_star(sheet, valid_selections(sheet, selections))


def project(sheet: Sheet, selections: Mapping[str, Any]) -> Projection:
    """The self-assessed total and the star it would give, with the reasons in words."""
    result = _gap(sheet, selections).result
    chosen = valid_selections(sheet, selections)
    part_totals = {}
    for part in sheet.parts:
        part_totals[part.code] = sum(
            c.option(chosen[c.code]).points for g in part.groups for c in g.criteria if c.code in chosen
        )
    return Projection(
        total=result.average,
        star=result.final_star or 0,
        recognised=result.recognised,
        # "Average of 1 member's totals" says nothing to a producer scoring alone.
        reasons=[reason.message for reason in result.reasons if reason.code != "average"],
        part_totals=part_totals,
        complete=not unscored(sheet, selections),
    )


def gap(sheet: Sheet, selections: Mapping[str, Any]) -> Any:
    """What it would take to reach the next star: `ocop.rules.stars.Gap` (missing minimums, steps, a plan)."""
    return _gap(sheet, selections)


def requires_food_safety(sheet: Sheet) -> bool:
    """Whether the sheet rejects a dossier without a food-safety establishment certificate (its knock-outs)."""
    return sheet.knockout("no-food-safety-certificate") is not None


@dataclass
class Row:
    """One criterion on the self-assessment page, with its place in the sheet and the current choice."""

    part: Any
    group: Any
    section: Any
    criterion: Criterion
    selected: str
    cases: list[tuple[Any, list[Any]]]


def rows(sheet: Sheet, selections: Mapping[str, Any]) -> list[Row]:
    out = []
    for part in sheet.parts:
        for group in part.groups:
            for criterion in group.criteria:
                if criterion.cases:
                    cases = [(case, [o for o in criterion.options if o.case == case.code]) for case in criterion.cases]
                else:
                    cases = [(None, list(criterion.options))]
                out.append(
                    Row(
                        part=part,
                        group=group,
                        section=group.section_of(criterion.code),
                        criterion=criterion,
                        selected=str(selections.get(criterion.code) or ""),
                        cases=cases,
                    )
                )
    return out
