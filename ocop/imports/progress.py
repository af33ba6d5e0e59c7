"""Progress of a running job, kept in the cache rather than the database.

On SQLite the import transaction holds the write lock from its first
statement: progress written to the database inside it would only become
visible when the import is over. The cache (files under the data folder by
default) is shared by the web and worker processes and is outside the
transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from ocop.imports.models import ImportJob, ImportStatus

TIMEOUT = 24 * 60 * 60
# How the bar is split when an import first checks every row, then writes.
PHASES = {
    ImportStatus.VALIDATING: {"checking": (0, 100)},
    ImportStatus.IMPORTING: {"checking": (0, 50), "writing": (50, 100)},
}


def _key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def report(job: ImportJob, status: str, phase: str, processed: int, total: int) -> None:
    start, end = PHASES.get(status, {}).get(phase, (0, 100))
    share = min(1.0, processed / total) if total else 1.0
    cache.set(
        _key(job.pk),
        {
            "status": status,
            "phase": phase,
            "processed": processed,
            "total": total,
            "percent": round(start + (end - start) * share),
        },
        TIMEOUT,
    )


def clear(job: ImportJob) -> None:
    cache.delete(_key(job.pk))


def read(job: ImportJob) -> dict[str, Any]:
    """{status, phase, processed, total, percent} of the job as it stands now."""
    if job.is_running:
        data = cache.get(_key(job.pk))
        if data and data.get("status") == job.status:
            return {**data, "done": False}
        return {"status": job.status, "phase": "", "processed": 0, "total": job.total_rows, "percent": 0, "done": False}
    finished = job.status in (ImportStatus.PREVIEW, ImportStatus.INVALID, ImportStatus.DONE)
    return {
        "status": job.status,
        "phase": "",
        "processed": job.total_rows if finished else job.processed_rows,
        "total": job.total_rows,
        "percent": 100 if finished else job.progress_percent,
        "done": True,
    }
