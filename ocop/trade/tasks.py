"""Background tasks of the trade app: the e-mail carrying a producer's answer to the buyer."""

from __future__ import annotations

from django_tasks import task


@task()
def send_answer(reply_id: int) -> bool:
    from ocop.trade.actions import deliver_answer

    return deliver_answer(reply_id)


@task()
def purge_inquiries(day: str | None = None) -> int:
    """Daily: erase buyers' personal data from inquiries past the retention period (`manage.py purge_inquiries`
    does the same on demand). `day` is unused; the scheduler passes it."""
    from ocop.trade import conf
    from ocop.trade.actions import erase_personal_data

    return erase_personal_data(older_than_days=conf.get("TRADE_INQUIRY_RETENTION_DAYS"))
