"""Background tasks of the certificates: the daily reminder sweep (see ocop.certificates.reminders)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def daily_reminders(day: str | None = None) -> dict[str, object]:
    """Send the reminders due on `day` (ISO date; the clock's today when omitted)."""
    from ocop.certificates.reminders import send_due_reminders

    result = send_due_reminders(dt.date.fromisoformat(day) if day else None)
    return {"day": result.day.isoformat(), "sent": result.sent, "emails": result.emails}
