"""Erase buyers' personal data from inquiries inactive for longer than the retention period.

`manage.py scheduler` runs it daily (task ocop.trade.tasks.purge_inquiries); this command runs it on demand.
The retention period is TRADE_INQUIRY_RETENTION_DAYS (see ocop/trade/conf.py); --days overrides it for one run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ocop.trade import conf
from ocop.trade.actions import erase_personal_data


class Command(BaseCommand):
    help = "Erase buyers' contact details and messages from inquiries older than the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="retention in days (default: the setting)")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        days = conf.get("TRADE_INQUIRY_RETENTION_DAYS") if days is None else days
        if days < 1:
            raise CommandError("the retention period must be at least one day")
        count = erase_personal_data(older_than_days=days)
        self.stdout.write(f"{count} inquiries erased (inactive for more than {days} days)")
