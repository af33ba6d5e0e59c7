"""What the scan pages do: count a scan, place it in a province, raise and handle alerts, take reports.

`record_scan()` is the hot path of the whole platform (every package of a harvest may be scanned): one insert
into the scan log and one update of the stamp's running figures, in ONE short write transaction (with SQLite's
IMMEDIATE transactions, one take of the write lock per scan; everything the page reads is read before it), plus
an alert in the rare case a rule fires. Both statements are written as SQL once (`sql.py`): building them
through the ORM for every scan cost more than running them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from ocop.audit.log import acting_as
from ocop.geo.models import AdminUnit
from ocop.lib import clock, sqlite
from ocop.scans import rules, sql
from ocop.scans.models import Alert, AlertRule, AlertStatus, PlaceSource, Scan, ScanSummary


def ua_hash(user_agent: str, at: dt.datetime) -> str:
    """HMAC-SHA-256 of the user agent, keyed by the platform secret and the month.

    The monthly key tells devices apart for the clone rules and keeps a device from being followed from one
    month to the next; nobody can recover the user agent from it (and it is not stored anywhere else).
    The value is Django's ``salted_hmac(f"ocop.scans.ua:{at:%Y-%m}", user_agent[:500], algorithm="sha256")``;
    the month's keyed HMAC is made once per process (`_ua_hmac`) and copied for each scan.
    """
    if not user_agent:
        return ""
    mac = _ua_hmac(at.year, at.month, settings.SECRET_KEY).copy()
    mac.update(user_agent[:500].encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _ua_hmac(year: int, month: int, secret: str) -> hmac.HMAC:
    return salted_hmac(f"ocop.scans.ua:{year:04d}-{month:02d}", b"", secret=secret, algorithm="sha256")


@dataclass(frozen=True)
class Counted:
    """What the scan page shows about a stamp's scans, this one included."""

    scan_id: int | None  # the scan counted by this request, if it counted one
    count: int
    first_at: dt.datetime | None
    first_province: AdminUnit | None


def _summary(stamp: Any) -> ScanSummary | None:
    # The resolver fetched it with the stamp (select_related of the reverse one-to-one).
    try:
        return stamp.scan_summary
    except ScanSummary.DoesNotExist:
        return None


def record_scan(
    stamp: Any,
    *,
    product: Any,
    certificate_status: str,
    user_agent: str = "",
    now: dt.datetime | None = None,
    day: dt.date | None = None,
) -> Counted:
    """Log a scan of `stamp` and update its running figures; run the rules that can be decided now.

    `now` (the platform's clock) and `day` (its date in the platform's time zone) when the caller has them."""
    if now is None:
        now = clock.now()
    if day is None:
        day = clock.day_of(now)
    summary = _summary(stamp)
    ua = ua_hash(user_agent, now)
    status = certificate_status or ""
    alias = router.db_for_write(Scan)
    # One short write transaction: the scan row and the running figures together (a single take of the
    # database's write lock, queued by the kernel on SQLite: `write_gate`), two statements (`sql.py`). The
    # rules' alerts, rare, are written after it.
    ops = connections[alias].ops
    at = ops.adapt_datetimefield_value(now)
    with sqlite.write_gate(alias):
        scan_id, count, days, first_at, first_scan_id = sql.write_scan(
            alias,
            [stamp.pk, at, ua, stamp.state, status],
            lambda scan_id: [stamp.pk, at, scan_id, at, ops.adapt_datefield_value(day)],
        )
    after = rules.Tally(count, days)
    if first_scan_id == scan_id:  # this scan created the stamp's figures
        first_at = now
        before = rules.Tally(0, 0)
    else:
        if summary is not None:  # a summary's first scan never changes: as read with the stamp
            first_at = summary.first_at
        else:  # another phone's first scan of this stamp came in between
            first_at = sql.python_values(alias, [ScanSummary._meta.get_field("first_at")], [first_at])[0]
        # The figures before this scan, as far as the rules need them (the database did the arithmetic).
        new_day = summary is None or summary.last_day < day
        before = rules.Tally(count - 1, days - 1 if new_day else days)
    for finding in rules.on_scan(stamp, product.pk, before, after, status):
        raise_alert(finding, stamp=stamp, lot=stamp.batch.lot, product=product)
    first_province = summary.first_province if summary is not None and summary.first_province_id else None
    return Counted(scan_id, count, first_at, first_province)


def seen(stamp: Any) -> Counted:
    """The figures of a stamp without counting a scan (a reload by the same browser, a HEAD request)."""
    summary = _summary(stamp)
    if summary is None:
        return Counted(None, 0, None, None)
    return Counted(None, summary.count, summary.first_at, summary.first_province if summary.first_province_id else None)


def set_place(scan: Scan, province: AdminUnit, source: str) -> bool:
    """Record the province a consumer gave for their scan (once); run the travel rule. False if already set."""
    if source not in (PlaceSource.GEOLOCATION, PlaceSource.CHOSEN):
        raise ValueError(source)
    with transaction.atomic():
        if not Scan.objects.filter(pk=scan.pk, province__isnull=True).update(province=province, place_source=source):
            return False
        summary = (
            ScanSummary.objects.select_for_update(of=("self",))
            .select_related("located_province")
            .get(stamp_id=scan.stamp_id)
        )
        previous = None
        if summary.located_province_id is not None and summary.located_at is not None:
            previous = (summary.located_province.code, summary.located_province.name, summary.located_at)
        finding = rules.impossible_travel(scan.stamp_id, previous, (province.code, province.name, scan.at))
        changes: dict[str, Any] = {}
        if summary.located_at is None or scan.at >= summary.located_at:
            changes.update(located_province=province, located_at=scan.at)
        if summary.first_scan_id == scan.pk:
            changes["first_province"] = province
        if changes:
            ScanSummary.objects.filter(pk=summary.pk).update(**changes)
    if finding is not None:
        stamp = scan.stamp
        lot = stamp.batch.lot
        raise_alert(finding, stamp=stamp, lot=lot, product=lot.product)
    return True


def _as_the_platform() -> Any:
    """Alerts raised while serving a consumer are the platform's doing: audited without the consumer's IP address
    (the audit log would otherwise keep the full address of an anonymous person, for ever)."""
    return acting_as(None, ip=None)


def raise_alert(finding: rules.Finding, *, stamp: Any = None, lot: Any = None, product: Any = None) -> Alert:
    """The open alert for `finding.key`, created or given one more hit."""
    now = clock.now()
    for _attempt in range(2):
        existing = Alert.objects.filter(key=finding.key, status=AlertStatus.OPEN).first()
        if existing is not None:
            Alert.objects.filter(pk=existing.pk).update(hits=F("hits") + 1, last_seen_at=now)
            return existing
        try:
            with transaction.atomic(), _as_the_platform():
                return Alert.objects.create(
                    rule=finding.rule,
                    key=finding.key,
                    details=finding.details,
                    stamp=stamp,
                    lot=lot,
                    product=product,
                    producer_id=product.producer_id if product is not None else None,
                    created_at=now,
                    last_seen_at=now,
                )
        except IntegrityError:  # raised by another scan at the same moment: add the hit to that one
            continue
    raise RuntimeError("alert could not be raised")  # pragma: no cover - the second attempt finds the row


def report_fake(
    *, code: str, message: str, contact: str, stamp: Any = None, lot: Any = None, product: Any = None
) -> Alert:
    """A consumer's report of a suspected fake, from the scan page (or the "not genuine" page)."""
    now = clock.now()
    with _as_the_platform():
        return Alert.objects.create(
            rule=AlertRule.CONSUMER_REPORT,
            key=f"report:{uuid.uuid4().hex}",
            details={"code": code[:300]},
            message=message,
            contact=contact,
            stamp=stamp,
            lot=lot,
            product=product,
            producer_id=product.producer_id if product is not None else None,
            created_at=now,
            last_seen_at=now,
        )


# An office may change its mind between dismissed and confirmed; an alert is never opened again (the rule
# raises a new one if the pattern comes back).
HANDLED = (AlertStatus.DISMISSED, AlertStatus.CONFIRMED)


def handle_alert(alert: Alert, *, status: str, note: str, actor: Any) -> Alert:
    """An office's finding on an alert: no counterfeit (dismissed) or a confirmed counterfeit. Audited."""
    if status not in HANDLED:
        raise ValueError(status)
    alert.status = status
    alert.note = note
    alert.handled_by = actor
    alert.handled_at = clock.now()
    alert.save(update_fields=["status", "note", "handled_by", "handled_at"])
    return alert
