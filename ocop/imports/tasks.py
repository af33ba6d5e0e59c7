"""Background tasks: the dry run and the import of a job (see ocop.imports.actions)."""

from __future__ import annotations

from django_tasks import task


@task()
def check_job(job_id: int) -> str:
    from ocop.imports.actions import run_check

    return run_check(job_id).status


@task()
def import_job(job_id: int) -> str:
    from ocop.imports.actions import run_import

    return run_import(job_id).status
