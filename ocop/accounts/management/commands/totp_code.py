"""Print a user's current TOTP code. Demo only: refused unless DEMO_MODE is on."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of USERNAME (only when OCOP_DEMO=true)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        # Printing a code defeats the second factor; a presenter needs it to
        # show the officers' screens, a real server never does.
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("totp_code works only in the demo (OCOP_DEMO=true).")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
        if device is None:
            raise CommandError(f"{username!r} has no confirmed authenticator")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        self.stdout.write(f"{totp.token():0{device.digits}d}")
