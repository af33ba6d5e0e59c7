"""Background tasks of the trade app: the e-mail carrying a producer's answer to the buyer."""

from __future__ import annotations

from django_tasks import task


@task()
def send_answer(reply_id: int) -> bool:
    from ocop.trade.actions import deliver_answer

    return deliver_answer(reply_id)
