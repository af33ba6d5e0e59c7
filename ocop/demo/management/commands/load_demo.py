"""Load the Bắc Giang demo data set and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.demo.loader import DemoDataError, load


class Command(BaseCommand):
    help = "Load the demo data set (Bắc Giang OCOP programme, 2019–2026) and its demo accounts. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when OCOP_PRODUCTION=true (the demo accounts share one published password).",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        # The demo accounts have a password printed in the README: on a real
        # server they would be open doors.
        if settings.PRODUCTION and not force:
            raise CommandError(
                "refusing to load demo data with OCOP_PRODUCTION=true (use --force if you really mean it)"
            )
        try:
            load(stdout=self.stdout)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
