"""The platform's clock: what "today" is for statuses, deadlines and reminders.

Everything that decides whether a certificate is valid, whether a deadline has
passed or which reminder is due asks `today()` / `now()` here, never the system
clock directly, so that time can be moved:

- for a demo, with `OCOP_CLOCK_OFFSET_DAYS` (a setting read from the
  environment; refused in production) — e.g. 1000 days ahead to show expired
  certificates and the reminders that led to them;
- in tests, with `travel()` (a context manager) or the `clock` pytest fixture.

The moved offset is a module-level value rather than a context variable on
purpose: the live server of the browser tests answers from another thread of
the test process, and it must see the time the test moved to.

Audit timestamps, login throttling and session timeouts keep using the real
time (`django.utils.timezone.now()`): they record what happened, when it
happened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

# Days added by travel(), on top of the OCOP_CLOCK_OFFSET_DAYS setting.
_travel_days = 0


def offset_days() -> int:
    """How many days the platform's clock is ahead of the real one (negative: behind)."""
    return int(getattr(settings, "OCOP_CLOCK_OFFSET_DAYS", 0) or 0) + _travel_days


def now() -> dt.datetime:
    """The current moment on the platform's clock (aware, UTC)."""
    return timezone.now() + dt.timedelta(days=offset_days())


def today() -> dt.date:
    """Today's date in the platform's time zone (Asia/Ho_Chi_Minh), on the platform's clock."""
    return day_of(now())


def day_of(moment: dt.datetime) -> dt.date:
    """The date of an aware `moment` in the platform's time zone (settings.TIME_ZONE).

    No request activates another time zone, so this is `timezone.localdate(moment)` without the look-up of
    the active one in a context-local variable (measured: a few per cent of a scan).
    """
    return moment.astimezone(timezone.get_default_timezone()).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def _set_travel(days: int) -> None:
    global _travel_days
    _travel_days = days


def _days_to(target: dt.date) -> int:
    """The travel offset that makes today() return `target`."""
    return _travel_days + (target - today()).days


@contextlib.contextmanager
def travel(days: int = 0, *, months: int = 0, to: dt.date | None = None) -> Iterator[None]:
    """Move the clock for the duration of the block: by days and/or months, or `to` a date.

    Moves nest; leaving a block restores the time of the enclosing one.
    """
    previous = _travel_days
    target = to if to is not None else add_months(today(), months) + dt.timedelta(days=days)
    _set_travel(_days_to(target))
    try:
        yield
    finally:
        _set_travel(previous)


class Traveller:
    """Moves the clock for a whole test and puts it back at teardown (see the `clock` fixture)."""

    def __init__(self) -> None:
        self._start = _travel_days

    def move(self, days: int = 0, *, months: int = 0) -> dt.date:
        """Move forward (or back, with negative values) from the clock's current today; returns the new today."""
        _set_travel(_days_to(add_months(today(), months) + dt.timedelta(days=days)))
        return today()

    def to(self, day: dt.date) -> dt.date:
        _set_travel(_days_to(day))
        return today()

    def today(self) -> dt.date:
        return today()

    add_months = staticmethod(add_months)

    def reset(self) -> None:
        _set_travel(self._start)
