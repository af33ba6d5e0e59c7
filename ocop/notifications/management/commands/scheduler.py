"""A small clock for the background worker: enqueues the daily jobs once a day.

    manage.py scheduler                 # loop: check every 5 minutes, enqueue on a new day
    manage.py scheduler --once          # enqueue today's jobs and exit (for cron)

It only enqueues (the jobs are listed in ocop.notifications.schedule); the
worker (`manage.py db_worker`) runs them. The day is the platform clock's
(ocop.lib.clock), so a demo clock moved forward gets its sweep too. On start
it enqueues the day's jobs at once: they are idempotent, so a restart costs
nothing. Stops cleanly on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from ocop.lib import clock
from ocop.notifications.schedule import DAILY_TASKS


class Command(BaseCommand):
    help = "Enqueue the daily background jobs (reminders, e-mail retries) once a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=300, help="seconds between checks (default 300)")
        parser.add_argument("--once", action="store_true", help="enqueue today's jobs and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            # Under cron: a failure must show in the exit status.
            self.enqueue_daily(clock.today().isoformat())
            return
        self.stopping = False
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.loop(max(1, options["interval"]))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Scheduler stopped.")

    def loop(self, interval: int) -> None:
        last_day = None
        while not self.stopping:
            day = clock.today()
            if day != last_day:
                try:
                    self.enqueue_daily(day.isoformat())
                except Exception as error:  # noqa: BLE001 - e.g. the database restarting: try again at the next check
                    self.stderr.write(f"{day}: could not enqueue the daily jobs ({error}); retrying later")
                else:
                    last_day = day
            # Sleep in short steps so a stop request is honoured quickly.
            deadline = time.monotonic() + interval
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(1)

    def enqueue_daily(self, day: str) -> None:
        for path in DAILY_TASKS:
            result = import_string(path).enqueue(day)
            self.stdout.write(f"{day}: enqueued {path} (task {result.id})")
        self.stdout.flush()

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True
