"""The daily jobs `manage.py scheduler` enqueues, by dotted path of their django-tasks task.

Each is called with one argument, the day (ISO date) on the platform clock,
and must be idempotent: the scheduler enqueues them again when it restarts.
"""

from __future__ import annotations

DAILY_TASKS: list[str] = [
    # Reminders about certificates: re-evaluation period and expiry.
    "ocop.certificates.tasks.daily_reminders",
    # Commune checks due soon or overdue (15 working days).
    "ocop.evaluation.tasks.overdue_commune_checks",
    # Rounds past their end date with dossiers still being scored; members who have not scored yet.
    "ocop.councils.tasks.overdue_rounds",
    # E-mail copies that failed earlier.
    "ocop.notifications.tasks.send_pending_emails",
    # Buyers' personal data in trade inquiries past the retention period.
    "ocop.trade.tasks.purge_inquiries",
    # Search rows whose public/star keys changed with the day (certificates coming into force, expiring).
    "ocop.search.tasks.refresh_search_rows",
]
