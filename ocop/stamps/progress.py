"""Progress of a batch being generated, kept in the cache rather than the database.

On SQLite the generating transaction holds the write lock from its first
insert to its commit; a counter written to the database inside it would stay
invisible to the page that polls it until the batch is done (see
ocop.imports.progress, which does the same for imports).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from ocop.stamps.models import BatchStatus, StampBatch

TIMEOUT = 24 * 60 * 60


def _key(batch_id: int) -> str:
    return f"stamps:progress:{batch_id}"


def report(batch: StampBatch, done: int) -> None:
    cache.set(_key(batch.pk), {"processed": done, "total": batch.count}, TIMEOUT)


def clear(batch: StampBatch) -> None:
    cache.delete(_key(batch.pk))


def read(batch: StampBatch) -> dict[str, Any]:
    """{status, processed, total, percent, done} of the batch as it stands now."""
    if batch.status == BatchStatus.GENERATING:
        data = cache.get(_key(batch.pk)) or {}
        processed = int(data.get("processed", 0))
        done = False
    else:
        processed = batch.generated if batch.status == BatchStatus.FAILED else batch.count
        done = True
    percent = min(100, processed * 100 // batch.count) if batch.count else 100
    return {"status": batch.status, "processed": processed, "total": batch.count, "percent": percent, "done": done}
