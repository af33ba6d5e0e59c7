"""Background tasks: writing the stamps of a batch (see ocop.stamps.actions.generate)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_batch(batch_id: int) -> str:
    from ocop.stamps.actions import generate

    return generate(batch_id).status
