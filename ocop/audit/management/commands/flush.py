"""`flush`, aware of the append-only audit table.

Flushing empties every table (a fresh demo, the teardown of tests that commit
for real). The triggers that refuse DELETE and TRUNCATE on the audit table
would make it fail, so they are lifted for the flush and put back afterwards,
whatever happens. Emptying the whole database is the one case where the audit
log goes too, together with everything it describes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from ocop.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
