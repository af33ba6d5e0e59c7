"""The search app's part of the demo (called by ocop.demo.loader.load inside its transaction)."""

from __future__ import annotations

import datetime as dt


def load(*, created: dict[str, int], today: dt.date) -> None:
    """Idempotent: creates what is missing, counts new rows in `created`."""
