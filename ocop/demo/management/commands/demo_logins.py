"""Print the demo logins table (serve.sh shows it before starting)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ocop.accounts.models import User
from ocop.demo.loader import DEMO_LOGINS, logins_table


class Command(BaseCommand):
    help = "Print the demo accounts, their password and the TOTP secret of the staff accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(
            User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).values_list("username", flat=True)
        )
        self.stdout.write(logins_table())
        missing = [d.username for d in DEMO_LOGINS if d.username not in present]
        if missing:
            self.stdout.write(f"\nNot in the database yet: {', '.join(missing)} (run `manage.py load_demo`).")
