"""Run the daily reminder sweep now, or put it in the background queue.

    manage.py run_reminders                      # sweep for the clock's today, here and now
    manage.py run_reminders --date 2029-03-01    # sweep as of another day
    manage.py run_reminders --enqueue            # let the worker (db_worker) run it

`manage.py scheduler` enqueues it once a day; this command is for cron, for a
catch-up by hand, and for demos after moving the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.lib import clock


class Command(BaseCommand):
    help = "Send the certificate reminders due today (re-evaluation period, expiry)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to sweep for, YYYY-MM-DD (default: the platform clock's today)")
        parser.add_argument("--enqueue", action="store_true", help="enqueue the sweep for the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from None
        if options["enqueue"]:
            from ocop.certificates.tasks import daily_reminders

            result = daily_reminders.enqueue(day.isoformat())
            self.stdout.write(f"Reminder sweep for {day} enqueued (task {result.id}).")
            return
        from ocop.certificates.reminders import send_due_reminders

        result = send_due_reminders(day)
        kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.sent.items())) or "none due"
        self.stdout.write(
            f"Reminders for {day}: {kinds}; {result.notifications} notifications, {result.emails} e-mails."
        )
