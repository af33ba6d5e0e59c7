"""Walk the audit chain and say whether it is intact.

Exit status 0 when every row verifies, 1 when a row is broken (for cron and
monitoring). The result is stored, so the audit pages show it without walking
the log again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ocop.audit.log import check_chain
from ocop.audit.models import BreakReason


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit status 1 when it is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        result = check_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"{result.checked} rows checked: OK"))
            return
        reason = BreakReason(result.reason).label
        self.stderr.write(
            self.style.ERROR(f"BROKEN at row {result.broken_at} ({result.checked} rows verified before it): {reason}")
        )
        raise CommandError("audit chain broken", returncode=1)
