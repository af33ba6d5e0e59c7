"""Small helpers for showing rulebooks and criteria sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext

from ocop.rules.rulebooks import Band, Rulebook
from ocop.rules.sheets import Criterion, Group, Section
from ocop.rules.stars import level_label as _level_label

register = template.Library()


@register.filter
def level_label(level: str) -> str:
    return _level_label(level)


@register.simple_tag
def star_marks(star: int) -> str:
    return "★" * int(star)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(share: Decimal) -> str:
    return f"{formats.localize((Decimal(share) * 100).normalize())} %"


@register.simple_tag
def band_range(rulebook: Rulebook, band: Band) -> str:
    upper = rulebook.band_upper(band.star)
    lower = formats.localize(band.lower)
    if upper is None:
        return gettext("%(lower)s to %(total)s points") % {"lower": lower, "total": rulebook.total}
    if band.lower == 0:
        return gettext("under %(upper)s points") % {"upper": formats.localize(upper)}
    return gettext("%(lower)s to under %(upper)s points") % {"lower": lower, "upper": formats.localize(upper)}


@register.simple_tag
def day_month(month_day: tuple[int, int]) -> str:
    month, day = month_day
    # Any leap year: only the day and month are shown.
    return formats.date_format(dt.date(2024, month, day), "MONTH_DAY_FORMAT")


@register.filter
def section_of(group: Group, code: str) -> Section | None:
    return group.section_of(code)


@register.filter
def case_title(criterion: Criterion, case: str) -> str:
    return next((c.title for c in criterion.cases if c.code == case), "")
