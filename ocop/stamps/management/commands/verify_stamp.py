"""Verify a signed stamp offline: no database, no network.

    manage.py verify_stamp "<scanned text>" --keys ocop-stamp-keys.json

`keys.json` is the key set published at /.well-known/ocop-stamp-keys.json,
downloaded beforehand. Exits 0 when the signature is valid, 1 otherwise
(malformed code, unsigned stamp, unknown key, or a signature that does not
match: a forged or altered code). Being genuinely signed says the code was
made by the province; whether this package is the only one carrying it is
what the scan log tells.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.stamps import codes

MESSAGES = {
    "valid": "VALID: signed by key {kid} (province {province}).",
    "malformed": "INVALID: this is not a stamp code.",
    "unsigned": "INVALID: this stamp carries no signature.",
    "unknown_key": "INVALID: key {kid} is not in the key set.",
    "bad_signature": "INVALID: the signature does not match the code: forged or altered.",
}


class Command(BaseCommand):
    help = "Verify the signature of a scanned stamp against a downloaded public key set, offline."
    # Offline by design: no database connection, no system checks that might open one.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="The text of the QR code, as a scanner reads it.")
        parser.add_argument("--keys", required=True, help="The key set (ocop-stamp-keys.json) as a file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keyset = codes.keys_from_jwks(Path(options["keys"]).read_bytes())
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read the key set {options['keys']}: {exc}") from exc
        result = codes.verify(options["text"], keyset)
        kid = result.stamp.kid if result.stamp else ""
        province = result.key.province if result.key else ""
        line = MESSAGES[result.reason].format(kid=kid, province=province)
        if result.stamp is not None:
            line += f"\nidentity: {result.stamp.identity}"
        (self.stdout if result.ok else self.stderr).write(line)
        sys.exit(0 if result.ok else 1)
