"""What can be done with an import job: upload, map, check, import.

Views, commands and tests call these; the two long steps (check and import)
are queued as background tasks (`ocop.imports.tasks`) which call back into
`run_check` and `run_import` here.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocop.audit.log import acting_as, record
from ocop.audit.models import Action
from ocop.geo.models import AdminUnit
from ocop.imports import progress
from ocop.imports.fields import guess_mapping
from ocop.imports.files import FileRefused, check_upload
from ocop.imports.importer import MAX_STORED_ERRORS, Plan, apply_plan, build_plan, planned_writes
from ocop.imports.models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)


class ImportAborted(Exception):
    """The import stopped before committing; nothing was written. `reason` says why."""

    def __init__(self, reason: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors or []


def create_job(*, user: Any, upload: Any, kind: str, province: AdminUnit) -> ImportJob:
    """Check the upload and store it as a new job with a guessed column mapping.

    Raises FileRefused, before anything is stored, for a file that cannot be imported.
    """
    checked = check_upload(upload)
    job = ImportJob(
        kind=kind,
        province=province,
        original_name=(getattr(upload, "name", "") or "")[-250:],
        file_format=checked.file_format,
        encoding=checked.encoding,
        delimiter=checked.delimiter,
        sha256=checked.sha256,
        headers=checked.headers,
        mapping=guess_mapping(kind, checked.headers),
        total_rows=checked.total_rows,
        created_by=user,
    )
    upload.seek(0)
    job.file.save(f"{checked.sha256}.{checked.file_format}", File(upload), save=False)
    job.save()
    return job


def save_mapping(job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Keep the chosen columns; any earlier check no longer applies."""
    job.mapping = {key: header for key, header in mapping.items() if header}
    job.status = ImportStatus.MAPPED
    job.errors = []
    job.error_count = 0
    job.summary = {}
    job.failure_reason = ""
    job.processed_rows = 0
    job.save()
    return job


def start_check(job: ImportJob) -> bool:
    """Queue the dry run. False when the job is busy or already imported."""
    from ocop.imports.tasks import check_job

    claimed = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status__in=[ImportStatus.VALIDATING, ImportStatus.IMPORTING, ImportStatus.DONE])
        .update(status=ImportStatus.VALIDATING, processed_rows=0, failure_reason="")
    )
    if not claimed:
        return False
    job.refresh_from_db()
    progress.report(job, ImportStatus.VALIDATING, "checking", 0, job.total_rows)
    check_job.enqueue(job.pk)
    return True


def confirm_import(job: ImportJob) -> bool:
    """Queue the import of a job whose dry run found no error. False when it cannot be imported now.

    The job is claimed with a conditional UPDATE, so a double click or two
    officers confirming at once start one import, not two.
    """
    from ocop.imports.tasks import import_job

    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEW, error_count=0).update(
        status=ImportStatus.IMPORTING, processed_rows=0
    )
    if not claimed:
        return False
    job.refresh_from_db()
    progress.report(job, ImportStatus.IMPORTING, "checking", 0, job.total_rows)
    import_job.enqueue(job.pk)
    return True


# --- the background steps -----------------------------------------------------------------------
def _store_plan(job: ImportJob, plan: Plan) -> None:
    job.errors = plan.errors[:MAX_STORED_ERRORS]
    job.error_count = len(plan.errors)
    job.summary = plan.summary()
    job.total_rows = plan.total_rows
    job.processed_rows = plan.total_rows


def run_check(job_id: int) -> ImportJob:
    """The dry run: validate every row and store what importing would do. Writes no registry record."""
    job = ImportJob.objects.select_related("province", "created_by").get(pk=job_id)
    if job.status != ImportStatus.VALIDATING:
        return job
    with acting_as(job.created_by):
        try:
            plan = build_plan(
                job, lambda phase, n: progress.report(job, ImportStatus.VALIDATING, phase, n, job.total_rows)
            )
        except FileRefused as exc:
            return _fail(job, exc.message)
        except Exception:
            logger.exception("import %s: dry run failed", job_id)
            return _fail(job, _("The check stopped on an unexpected error; nothing was written."))
        _store_plan(job, plan)
        job.status = ImportStatus.INVALID if plan.errors else ImportStatus.PREVIEW
        job.save()
    progress.clear(job)
    return job


def run_import(job_id: int) -> ImportJob:
    """Import a checked job in one transaction: everything or, on any error, nothing."""
    job = ImportJob.objects.select_related("province", "created_by").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return job
    writes = 0

    def report(phase: str, count: int) -> None:
        total = job.total_rows if phase == "checking" else writes
        progress.report(job, ImportStatus.IMPORTING, phase, count, total)

    with acting_as(job.created_by):
        try:
            with transaction.atomic():
                # Checked again under the write lock: the registry may have
                # changed since the dry run.
                plan = build_plan(job, report)
                if plan.errors:
                    raise ImportAborted(
                        ngettext(
                            "The data changed since the check: %(count)s row now has an error. "
                            "Nothing was imported; check the file again.",
                            "The data changed since the check: %(count)s rows now have errors. "
                            "Nothing was imported; check the file again.",
                            len(plan.errors),
                        )
                        % {"count": len(plan.errors)},
                        plan.errors,
                    )
                writes = planned_writes(plan)
                apply_plan(job, plan, report)
                _store_plan(job, plan)
                job.status = ImportStatus.DONE
                job.finished_at = timezone.now()
                job.save()
                record(Action.IMPORT, instance=job, after=job.summary.get("counts"), note=job.original_name)
        except ImportAborted as exc:
            job = _fail(job, exc.reason, plan_errors=exc.errors)
        except FileRefused as exc:
            job = _fail(job, exc.message)
        except Exception as exc:
            logger.exception("import %s failed", job_id)
            reason = _("The import stopped on an error and nothing was written: %(error)s")
            job = _fail(job, reason % {"error": f"{type(exc).__name__}: {exc}"[:300]})
    progress.clear(job)
    return job


def _fail(job: ImportJob, reason: str, plan_errors: list[dict[str, Any]] | None = None) -> ImportJob:
    # The transaction is gone: reload, so nothing from the rolled-back attempt
    # is saved by accident.
    job = ImportJob.objects.get(pk=job.pk)
    job.status = ImportStatus.FAILED
    job.failure_reason = reason[:2000]
    job.finished_at = timezone.now()
    if plan_errors:
        job.errors = plan_errors[:MAX_STORED_ERRORS]
        job.error_count = len(plan_errors)
    job.save()
    return job


def sample_rows(job: ImportJob, count: int = 3) -> list[list[str]]:
    """The first few data rows as text, shown beside the column choices."""
    from ocop.imports.cells import text
    from ocop.imports.files import iter_data_rows

    rows: list[list[str]] = []
    try:
        with job.file.open("rb") as fh:
            for _number, values in iter_data_rows(fh, job.file_format, len(job.headers), job.encoding, job.delimiter):
                rows.append([text(v)[:80] for v in values])
                if len(rows) >= count:
                    break
    except (FileRefused, OSError):
        return []
    return rows
