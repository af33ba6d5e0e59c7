"""Clone detection: small rules that flag a suspected copy of a stamp.

Each rule is a plain function of figures the scan path already holds (no query of its own), returning a
`Finding` or None; thresholds are settings (see settings.py, "Scans of stamps"). `actions.raise_alert()`
turns a finding into an `Alert`, one open alert per finding key: a rule that fires again on the same stamp
(or product) adds a hit to the open alert rather than a new one. Threshold rules fire when the threshold is
crossed, so an alert an office dismissed ("this is the display package in the shop") stays dismissed.

The rules:

- too many scans: more than SCAN_MAX_SCANS scans of one stamp — a package is scanned a few times by the
  people who buy and eat it, not a hundred;
- too many days: scans on more than SCAN_MAX_DAYS distinct days;
- impossible travel: two located scans of one stamp in provinces at least SCAN_TRAVEL_MIN_KM apart (between
  province centres), closer in time than the distance allows at SCAN_TRAVEL_MAX_KMH;
- voided stamp / never-activated stamp: a stamp the producer cancelled, or one never put into circulation,
  is on a package;
- after revocation: a stamp of a product whose certificate is revoked is still being scanned (one alert per
  product, not per stamp: the finding is about the product on the shelves).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from ocop.certificates.models import CertificateStatus
from ocop.scans import places
from ocop.scans.models import AlertRule
from ocop.stamps.models import StampState


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    count: int
    days: int


def _crossed(before: int, after: int, limit: int) -> bool:
    return limit > 0 and before <= limit < after


def too_many_scans(stamp_id: int, before: Tally, after: Tally) -> Finding | None:
    limit = settings.SCAN_MAX_SCANS
    if not _crossed(before.count, after.count, limit):
        return None
    return Finding(AlertRule.TOO_MANY_SCANS, f"too_many_scans:stamp:{stamp_id}", {"count": after.count, "limit": limit})


def too_many_days(stamp_id: int, before: Tally, after: Tally) -> Finding | None:
    limit = settings.SCAN_MAX_DAYS
    if not _crossed(before.days, after.days, limit):
        return None
    return Finding(AlertRule.TOO_MANY_DAYS, f"too_many_days:stamp:{stamp_id}", {"days": after.days, "limit": limit})


def inactive_stamp(stamp_id: int, state: int) -> Finding | None:
    if state == StampState.VOIDED:
        return Finding(AlertRule.VOIDED_STAMP, f"voided_stamp:stamp:{stamp_id}")
    if state == StampState.ISSUED:
        return Finding(AlertRule.INACTIVE_STAMP, f"inactive_stamp:stamp:{stamp_id}")
    return None


def after_revocation(product_id: int, stamp_id: int, certificate_status: str) -> Finding | None:
    if certificate_status != CertificateStatus.REVOKED:
        return None
    return Finding(AlertRule.AFTER_REVOCATION, f"after_revocation:product:{product_id}", {"stamp": stamp_id})


def impossible_travel(
    stamp_id: int,
    previous: tuple[str, str, dt.datetime] | None,
    current: tuple[str, str, dt.datetime],
) -> Finding | None:
    """`previous` and `current` are (province code, province name, time of the scan)."""
    if previous is None:
        return None
    (code_a, name_a, at_a), (code_b, name_b, at_b) = previous, current
    distance = places.province_distance_km(code_a, code_b)
    if distance is None or distance < settings.SCAN_TRAVEL_MIN_KM:
        return None
    hours = abs((at_b - at_a).total_seconds()) / 3600
    # Under a minute apart counts as a minute: the speed stays a number for the record.
    speed = distance / max(hours, 1 / 60)
    if speed <= settings.SCAN_TRAVEL_MAX_KMH:
        return None
    return Finding(
        AlertRule.IMPOSSIBLE_TRAVEL,
        f"impossible_travel:stamp:{stamp_id}",
        {
            "from": name_a,
            "to": name_b,
            "km": round(distance),
            "minutes": round(hours * 60),
            "kmh": round(speed),
            "limit_kmh": settings.SCAN_TRAVEL_MAX_KMH,
        },
    )


def on_scan(stamp: Any, product_id: int, before: Tally, after: Tally, certificate_status: str) -> list[Finding]:
    """Every rule that can be decided when a scan is counted (the travel rule waits for a province)."""
    found = [
        too_many_scans(stamp.pk, before, after),
        too_many_days(stamp.pk, before, after),
        inactive_stamp(stamp.pk, stamp.state),
        after_revocation(product_id, stamp.pk, certificate_status),
    ]
    return [f for f in found if f is not None]
