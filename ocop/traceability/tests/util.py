"""Helpers for tests that need lots and trace events (also used by the global authorization table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ocop.lib import clock
from ocop.traceability import actions
from ocop.traceability.models import EventType, Lot, TraceEvent


def make_lot(product, number: str = "L2026-001", **fields: Any) -> Lot:
    data = {
        "number": number,
        "produced_on": clock.today() - dt.timedelta(days=3),
        "expires_on": clock.today() + dt.timedelta(days=30),
        "quantity": Decimal("1200"),
        "unit": "H87",
        "place_code": "VT-BG-0123",
        **fields,
    }
    return actions.create_lot(product, data)


def event_fields(**fields: Any) -> dict[str, Any]:
    return {
        "event_type": EventType.HARVEST,
        "occurred_at": clock.now() - dt.timedelta(days=2),
        "tz_offset": "+07:00",
        "actor": "HTX Persona A",
        "place": "Vùng trồng thôn 1",
        **fields,
    }


def make_event(lot: Lot, **fields: Any) -> TraceEvent:
    return actions.add_event(lot, event_fields(**fields))
