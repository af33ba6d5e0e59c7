"""Background tasks of the councils: the daily sweep of the rounds' end dates (see ocop.councils.reminders)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def overdue_rounds(day: str | None = None) -> dict[str, object]:
    """Send the round reminders due on `day` (ISO date; the clock's today when omitted)."""
    from ocop.councils.reminders import send_due_reminders

    result = send_due_reminders(dt.date.fromisoformat(day) if day else None)
    return {"day": result.day.isoformat(), "sent": result.sent, "emails": result.emails}
