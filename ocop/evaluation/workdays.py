"""The working-day calendar of a province: the national one plus the province's overrides."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ocop.lib.workdays import Calendar, national_calendar


def calendar_for(province: Any | None) -> Calendar:
    """National days off and make-up days, changed by the overrides for every province and for `province`.

    Overrides for all provinces apply first, so a province's own row wins over a nationwide one.
    """
    from ocop.evaluation.models import HolidayOverride

    rows = HolidayOverride.objects.filter(
        Q(province__isnull=True) | Q(province=province) if province else Q(province__isnull=True)
    )
    calendar = national_calendar()
    for row in sorted(rows, key=lambda r: (r.province_id is not None, r.date)):
        if row.is_holiday:
            calendar = calendar.with_changes(add_off=[(row.date, row.name)])
        else:
            calendar = calendar.with_changes(add_working=[row.date])
    return calendar
