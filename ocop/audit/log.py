"""Writing to and verifying the audit log.

`record()` appends one event and `record_many()` a batch of them; they are the
only ways rows are added. Saves and deletes of the audited models are recorded
automatically (see `ocop.audit.signals`); call `record()` yourself only for
events that are not a model save (logins, exports, verifications).

Bulk writes bypass model signals. Code that uses `bulk_create`,
`bulk_update` or `QuerySet.update()` on an audited model records the rows
itself, in the same transaction, with `record_bulk()`::

    with transaction.atomic(), acting_as(job.created_by):
        before = {p.pk: snapshot(p) for p in products}     # ocop.audit.signals.snapshot
        ...change the objects...
        Product.objects.bulk_update(products, fields)
        record_bulk(Action.UPDATE, products, before=before, note=f"import #{job.pk}")

The request context (actor, IP) is set by AuditContextMiddleware; commands and
background tasks set it with `acting_as()` so their changes are attributed too.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.utils import timezone

from ocop.audit.models import GENESIS, Action, AuditEvent, BreakReason, ChainCheck


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    ip: str | None = None
    # Set by the middleware: the actor is read from request.user when an event
    # is written, so a login in the middle of a request is attributed to the
    # user who just logged in.
    request: Any = None

    def resolve_actor(self) -> Any:
        if self.actor is not None:
            return self.actor
        return getattr(self.request, "user", None) if self.request is not None else None


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())

# Any 64-bit constant works; it names the lock that serialises chain appends.
_PG_LOCK_KEY = 0x0C0B_A0D1

# Keyword arguments an event accepts in record() and record_many().
_EVENT_KEYS = frozenset(
    {"action", "instance", "model", "object_id", "object_repr", "before", "after", "note", "actor", "ip"}
)


def current_context() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def acting_as(actor: Any = None, ip: str | None = None) -> Iterator[None]:
    """Attribute every event written inside the block to `actor` (a user, or None for the system)."""
    token = _context.set(AuditContext(actor=actor, ip=ip))
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def request_context(request: Any, ip: str | None) -> Iterator[None]:
    token = _context.set(AuditContext(ip=ip, request=request))
    try:
        yield
    finally:
        _context.reset(token)


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor.pk, actor.get_username()


def _clean_ip(ip: str | None) -> str | None:
    """The IP in the exact form the database hands back, or None when it is not an address.

    The hash is computed before the row is written and recomputed from what is
    read back, so both must see the same text (PostgreSQL rewrites IPv6).
    """
    if not ip:
        return None
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None
    return AuditEvent._meta.get_field("ip").to_python(ip)


def _canonical(value: Any) -> Any:
    """`value` as it will come back from a JSON column, so the hash survives the round trip.

    Dates, decimals and the like become strings (DjangoJSONEncoder). PostgreSQL's
    jsonb stores numbers as numerics: 1e20 comes back as an integer, -0.0 as 0.0,
    and NaN is refused; those are normalised here.
    """
    if value is None:
        return None

    def fix(item: Any) -> Any:
        if isinstance(item, float):
            if not math.isfinite(item):
                return str(item)
            if item == 0:
                return 0.0
            if item.is_integer() and abs(item) >= 1e16:
                return int(item)
            return item
        if isinstance(item, dict):
            return {key: fix(val) for key, val in item.items()}
        if isinstance(item, list):
            return [fix(val) for val in item]
        return item

    return fix(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _prepare(
    ctx: AuditContext,
    now: Any,
    action: str,
    *,
    instance: Any = None,
    model: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    actor: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    actor = actor if actor is not None else ctx.resolve_actor()
    ip = ip if ip is not None else ctx.ip
    if instance is not None:
        model = model or instance._meta.label
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)
    actor_id, actor_name = _actor_fields(actor)
    return AuditEvent(
        at=now,
        actor_id=actor_id,
        actor_name=actor_name[:150],
        ip=_clean_ip(ip),
        action=action,
        model=model[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:250],
        before=_canonical(before),
        after=_canonical(after),
        note=note[:500],
    )


def record(
    action: str,
    *,
    instance: Any = None,
    model: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    actor: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    `actor` and `ip` default to the current context (the request, or
    `acting_as()`). Runs inside the caller's transaction when there is one, so
    the event commits or rolls back together with the change it describes.
    """
    event = {
        "action": action,
        "instance": instance,
        "model": model,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "note": note,
        "actor": actor,
        "ip": ip,
    }
    return record_many([event])[0]


def record_many(events: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Append several events, each a mapping of record()'s keyword arguments, under one lock.

    One query reads the last hash for the whole batch and the rows are inserted
    in bulk, so importers can audit thousands of rows cheaply.
    """
    ctx = current_context()
    now = timezone.now()
    prepared = []
    for event in events:
        unknown = set(event) - _EVENT_KEYS
        if unknown:
            raise TypeError(f"unknown audit event keys: {sorted(unknown)}")
        fields = dict(event)
        prepared.append(_prepare(ctx, now, fields.pop("action"), **fields))
    if not prepared:
        return []
    using = router.db_for_write(AuditEvent)
    # savepoint=False: inside a caller's transaction this adds no savepoint, and
    # a failure here fails the whole transaction, change included: a change is
    # never committed without its audit row.
    with transaction.atomic(using=using, savepoint=False):
        _lock_chain(using)
        prev = AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for event in prepared:
            event.prev_hash = prev
            event.hash = event.compute_hash()
            prev = event.hash
        if len(prepared) == 1:
            prepared[0].save(using=using)
        else:
            # Rows are inserted in list order, so ids follow the chain order.
            AuditEvent.objects.using(using).bulk_create(prepared, batch_size=500)
    return prepared


def _lock_chain(using: str) -> None:
    """Serialise appends so two writers never chain to the same previous row.

    On PostgreSQL a transaction-scoped advisory lock, held until the writer's
    transaction ends; on SQLite the write lock that an IMMEDIATE transaction
    takes when it begins (see DATABASES in settings).
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record_bulk(
    action: str,
    instances: Iterable[Any],
    *,
    before: Mapping[Any, dict[str, Any]] | None = None,
    note: str = "",
) -> list[AuditEvent]:
    """Audit model rows written without signals (bulk_create, bulk_update, QuerySet.update).

    CREATE records every audited field of each instance; DELETE likewise as
    `before` (call it before the rows go); UPDATE needs `before`, a mapping of
    pk → `snapshot(instance)` taken before the change, and records only the
    fields that changed (unchanged instances write nothing).
    """
    from ocop.audit.signals import diff, snapshot

    events: list[dict[str, Any]] = []
    for obj in instances:
        if action == Action.CREATE:
            events.append({"action": action, "instance": obj, "after": snapshot(obj), "note": note})
        elif action == Action.DELETE:
            events.append({"action": action, "instance": obj, "before": snapshot(obj), "note": note})
        elif action == Action.UPDATE:
            if before is None or obj.pk not in before:
                raise ValueError("record_bulk(UPDATE) needs the snapshot taken before the change for every instance")
            old, new = diff(before[obj.pk], snapshot(obj))
            if old or new:
                events.append({"action": action, "instance": obj, "before": old, "after": new, "note": note})
        else:
            raise ValueError(f"record_bulk records create, update or delete, not {action!r}")
    return record_many(events)


# --- Verification ---------------------------------------------------------------------------
_REASON_TEXT = {
    BreakReason.PREV_HASH: "previous hash does not match: a row before it was changed or deleted",
    BreakReason.HASH: "content does not match its hash: the row was changed",
    BreakReason.ANCHOR: "a row seen by an earlier verification is missing or changed: rows were deleted from the end",
}


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first row that does not verify
    reason: str = ""
    code: str = ""  # a BreakReason value
    last_id: int | None = None  # the last row that verified
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain in id order; report the first row that fails.

    `anchor` is (id, hash) of the last row an earlier verification saw: if it
    is gone or changed, rows were cut from the end, which the chain by itself
    cannot show.
    """
    prev = GENESIS
    checked = 0
    last_id = 0
    last_hash = ""

    def broken(row_id: int, code: BreakReason) -> ChainReport:
        return ChainReport(checked, row_id, _REASON_TEXT[code], code.value, last_id or None, last_hash)

    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            break
        for row in rows:
            if row.prev_hash != prev:
                return broken(row.id, BreakReason.PREV_HASH)
            if row.compute_hash() != row.hash:
                return broken(row.id, BreakReason.HASH)
            if anchor is not None and row.id == anchor[0] and row.hash != anchor[1]:
                return broken(row.id, BreakReason.ANCHOR)
            prev = row.hash
            checked += 1
            last_id = row.id
            last_hash = row.hash
    if anchor is not None and anchor[0] > last_id:
        return broken(anchor[0], BreakReason.ANCHOR)
    return ChainReport(checked, None, last_id=last_id or None, last_hash=last_hash)


def check_chain(by: Any = None) -> ChainCheck:
    """Verify the chain against the last good verification, store the result and log that it ran."""
    anchor_row = ChainCheck.objects.filter(broken_at__isnull=True, last_id__isnull=False).first()
    anchor = (anchor_row.last_id, anchor_row.last_hash) if anchor_row else None
    report = verify_chain(anchor=anchor)
    if report.ok:
        note = f"{report.checked} rows checked: chain intact"
    else:
        note = f"{report.checked} rows verified, broken at row {report.broken_at}: {report.reason}"
    with transaction.atomic():
        check = ChainCheck.objects.create(
            checked=report.checked,
            broken_at=report.broken_at,
            reason=report.code,
            # A broken walk keeps no anchor: the next one must not trust it.
            last_id=report.last_id if report.ok else None,
            last_hash=report.last_hash if report.ok else "",
            by=by if getattr(by, "is_authenticated", False) else None,
        )
        record(Action.VERIFY, model=AuditEvent._meta.label, note=note, actor=by)
    return check
