"""Background tasks of the dossiers: the daily sweep of the commune's deadline (see ocop.evaluation.reminders)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def overdue_commune_checks(day: str | None = None) -> dict[str, object]:
    """Send the commune-deadline notices due on `day` (ISO date; the clock's today when omitted)."""
    from ocop.evaluation.reminders import send_due_reminders

    result = send_due_reminders(dt.date.fromisoformat(day) if day else None)
    return {"day": result.day.isoformat(), "sent": result.sent, "emails": result.emails}
