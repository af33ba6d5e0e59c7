"""Working days: deadlines counted in working days of state offices.

A working day is Monday to Friday, except the public holidays and bridge days
in `data/vn_public_holidays.json`, and Saturdays or Sundays the government
turned into working days (make-up days). A `Calendar` can be adjusted per
province (see `ocop.evaluation.workdays.calendar_for`), so this module knows
nothing about the database.

Counting: a deadline of N working days "from the day of receipt" does not
count the day of receipt itself; it ends at the close of the N-th working day
after it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "vn_public_holidays.json"
# The file covers these years; a deadline computed beyond them only skips weekends.
COVERED_YEARS = range(2025, 2028)


@dataclass(frozen=True)
class Calendar:
    """Days off (besides weekends) and weekend days worked, with the names to explain them."""

    days_off: dict[dt.date, str] = field(default_factory=dict)
    working_days: dict[dt.date, str] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def with_changes(self, *, add_off: Iterable[tuple[dt.date, str]] = (), add_working: Iterable[dt.date] = ()):
        """A copy with extra days off and days made working (a province's own calendar)."""
        days_off = dict(self.days_off)
        working = dict(self.working_days)
        for day, name in add_off:
            days_off[day] = name
            working.pop(day, None)
        for day in add_working:
            days_off.pop(day, None)
            working[day] = ""
        return Calendar(days_off=days_off, working_days=working)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (`start` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + dt.timedelta(days=n)))


def _load(path: Path) -> Calendar:
    data = json.loads(path.read_text(encoding="utf-8"))
    days_off = {dt.date.fromisoformat(row["date"]): row["name"] for row in data["days_off"]}
    working = {dt.date.fromisoformat(row["date"]): row["name"] for row in data.get("working_days", [])}
    overlap = set(days_off) & set(working)
    if overlap:
        raise ValueError(f"{path.name}: days both off and worked: {sorted(overlap)}")
    return Calendar(days_off=days_off, working_days=working)


@lru_cache(maxsize=1)
def national_calendar() -> Calendar:
    return _load(DATA_FILE)


def add_working_days(start: dt.date, count: int, calendar: Calendar | None = None) -> dt.date:
    return (calendar or national_calendar()).add_working_days(start, count)


def is_working_day(day: dt.date, calendar: Calendar | None = None) -> bool:
    return (calendar or national_calendar()).is_working_day(day)
