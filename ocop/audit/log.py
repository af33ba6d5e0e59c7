"""Writing to and verifying the audit log.

`record()` is the only way rows are added. The request context (actor, IP) is
set by AuditContextMiddleware; commands and background tasks set it with
`acting_as()` so their changes are attributed too.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ocop.audit.models import GENESIS, AuditEvent


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    ip: str | None = None


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())

# Any 64-bit constant works; it names the lock that serialises chain appends.
_PG_LOCK_KEY = 0x0C0B_A0D1


def current_context() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def acting_as(actor: Any = None, ip: str | None = None) -> Iterator[None]:
    token = _context.set(AuditContext(actor=actor, ip=ip))
    try:
        yield
    finally:
        _context.reset(token)


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor.pk, actor.get_username()


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

    Appends are serialised so two writers never chain to the same previous
    row: on PostgreSQL with a transaction-scoped advisory lock, on SQLite by
    the write lock that an IMMEDIATE transaction takes when it begins.
    """
    ctx = current_context()
    actor = actor if actor is not None else ctx.actor
    ip = ip if ip is not None else ctx.ip
    if instance is not None:
        model = model or instance._meta.label
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:250]
    actor_id, actor_name = _actor_fields(actor)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor_id,
            actor_name=actor_name,
            ip=ip,
            action=action,
            model=model,
            object_id=object_id,
            object_repr=object_repr[:250],
            before=before,
            after=after,
            note=note[:500],
            prev_hash=last or GENESIS,
        )
        # Round-trip the JSON the way the database will hand it back, so the
        # hash computed now equals the one recomputed at verification.
        event.before = _roundtrip(before)
        event.after = _roundtrip(after)
        event.hash = event.compute_hash()
        event.save()
    return event


def _roundtrip(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first row that does not verify
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in id order; report the first row that fails."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return ChainReport(checked=checked, broken_at=None)
        for row in rows:
            if row.prev_hash != prev:
                return ChainReport(
                    checked, row.id, "previous hash does not match: a row before it was changed or deleted"
                )
            if row.compute_hash() != row.hash:
                return ChainReport(checked, row.id, "content does not match its hash: the row was changed")
            prev = row.hash
            checked += 1
            last_id = row.id
