"""Key fields for tables written on the hot path, laid out as SQLite's rowid.

On SQLite a table's rows live in a b-tree keyed by the rowid; a column is that key only when it is declared
exactly ``INTEGER PRIMARY KEY``. Two of Django's defaults cost a write one more page on every row:

- `BigAutoField` is ``integer PRIMARY KEY AUTOINCREMENT``: AUTOINCREMENT keeps the largest id in the
  ``sqlite_sequence`` table and updates it on every insert. Without it SQLite gives the next id after the largest
  one in the table: the same ids, for a table whose rows are never deleted.
- A one-to-one primary key to a `BigAutoField` is ``bigint PRIMARY KEY``: not the rowid, so SQLite keeps a separate
  unique index beside the table, and every new row is written to both.

Other databases get exactly what Django gives them.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class RowidAutoField(models.BigAutoField):
    """`BigAutoField`, without AUTOINCREMENT on SQLite: for append-only tables (their rows are never deleted)."""

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key that is the table's rowid on SQLite (``integer``, SQLite's 64-bit integer)."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite" and self.primary_key:
            return "integer"
        return super().db_type(connection)
