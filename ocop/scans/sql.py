"""The statements of the scan path, written once as SQL.

A scan is one look-up of the stamp by its serial and one short write transaction (the scan row and the stamp's
running figures). Building these statements through the ORM for every scan cost more than running them, so they
are built here once per database connection alias, from the models' metadata (table and column names quoted by
the backend), with every value passed as a parameter. They run on SQLite ≥ 3.35 and PostgreSQL (``INSERT …
ON CONFLICT … DO UPDATE … RETURNING``); `apps.py` registers a system check for it.

Values read back are converted as the ORM converts them (`python_values`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connections, models, transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_aware, make_aware

from ocop.geo.models import AdminUnit
from ocop.scans.models import Scan, ScanSummary
from ocop.stamps.models import Stamp

STAMP_FIELDS = Stamp._meta.concrete_fields
SUMMARY_FIELDS = ScanSummary._meta.concrete_fields


def supported(alias: str) -> bool:
    features = connections[alias].features
    return bool(features.can_return_columns_from_insert and features.supports_update_conflicts_with_target)


@cache
def select_stamp(alias: str) -> str:
    """The stamp with a serial (one parameter), its summary's columns (all NULL without one), the name of the
    province of its first scan."""
    qn = connections[alias].ops.quote_name
    columns = [f"s.{qn(f.column)}" for f in STAMP_FIELDS] + [f"m.{qn(f.column)}" for f in SUMMARY_FIELDS]
    summary_key = qn(ScanSummary._meta.pk.column)
    province = qn(ScanSummary._meta.get_field("first_province").column)
    return (
        f"SELECT {', '.join(columns)}, u.{qn('name')} FROM {qn(Stamp._meta.db_table)} s"  # noqa: S608
        f" LEFT JOIN {qn(ScanSummary._meta.db_table)} m ON m.{summary_key} = s.{qn(Stamp._meta.pk.column)}"
        f" LEFT JOIN {qn(AdminUnit._meta.db_table)} u ON u.{qn(AdminUnit._meta.pk.column)} = m.{province}"
        f" WHERE s.{qn(Stamp._meta.get_field('serial').column)} = %s"
    )


@cache
def insert_scan(alias: str) -> str:
    """A scan row (stamp id, time, user-agent hash, stamp state, certificate status) → its id."""
    qn = connections[alias].ops.quote_name
    names = ("stamp", "at", "ua_hash", "stamp_state", "certificate_status", "province", "place_source")
    columns = ", ".join(qn(Scan._meta.get_field(name).column) for name in names)
    return (
        f"INSERT INTO {qn(Scan._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s, NULL, '')"  # noqa: S608
        f" RETURNING {qn(Scan._meta.pk.column)}"
    )


@cache
def count_scan(alias: str) -> str:
    """One more scan in a stamp's running figures, the row created by its first scan → the figures after it.

    Parameters: stamp id, time, scan id, day. The database does the arithmetic, so two phones scanning the same
    stamp at once both count (and the first scans of one stamp from two phones make one row)."""
    qn = connections[alias].ops.quote_name
    table = qn(ScanSummary._meta.db_table)
    c = {f.name: qn(f.column) for f in SUMMARY_FIELDS}
    insert = ", ".join(c[name] for name in ("stamp", "count", "days", "first_at", "first_scan", "last_at", "last_day"))
    return (
        f"INSERT INTO {table} ({insert}) VALUES (%s, 1, 1, %s, %s, %s, %s)"  # noqa: S608
        f" ON CONFLICT ({c['stamp']}) DO UPDATE SET {c['count']} = {table}.{c['count']} + 1,"
        f" {c['days']} = CASE WHEN {table}.{c['last_day']} < excluded.{c['last_day']}"
        f" THEN {table}.{c['days']} + 1 ELSE {table}.{c['days']} END,"
        f" {c['last_at']} = excluded.{c['last_at']}, {c['last_day']} = excluded.{c['last_day']}"
        f" RETURNING {c['count']}, {c['days']}, {c['first_at']}, {c['first_scan']}"
    )


def fetch_stamp(alias: str, serial: str) -> tuple[Any, ...] | None:
    """The row of `select_stamp` for `serial`, or None.

    On SQLite outside a transaction, on the driver's own connection (as `write_scan`: Django's cursor layers
    and its rewriting of the parameter style cost more than the indexed look-up); through Django otherwise."""
    connection = connections[alias]
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            return connection.connection.execute(_qmark(select_stamp(alias)), (serial,)).fetchone()
    with connection.cursor() as cursor:
        cursor.execute(select_stamp(alias), [serial])
        return cursor.fetchone()


def write_scan(
    alias: str, scan_params: list[Any], count_params: Callable[[int], list[Any]]
) -> tuple[int, int, int, Any, int | None]:
    """Insert a scan (`insert_scan`) and count it (`count_scan`) in one transaction → (scan id, count, days,
    first time, first scan id).

    On SQLite, outside any transaction (a server answering a scan), the two statements and the transaction run
    on the driver's own connection: Django's transaction and cursor layers cost as much again as the statements
    themselves. Inside a transaction (the tests, a caller's atomic block), and on PostgreSQL, they run through
    Django as every other query does."""
    connection = connections[alias]
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        connection.ensure_connection()
        return _write_scan_sqlite(connection, alias, scan_params, count_params)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(insert_scan(alias), scan_params)
        scan_id = cursor.fetchone()[0]
        cursor.execute(count_scan(alias), count_params(scan_id))
        return (scan_id, *cursor.fetchone())


def _write_scan_sqlite(
    connection: Any, alias: str, scan_params: list[Any], count_params: Callable[[int], list[Any]]
) -> tuple[int, int, int, Any, int | None]:
    # The driver's connection is in autocommit mode (Django keeps it so outside atomic blocks): BEGIN and
    # COMMIT are ours. IMMEDIATE, as Django's transactions here: the write lock is taken at the start. Errors
    # come out as Django's (and mark the connection for its health check), as from any other query.
    with connection.wrap_database_errors:
        db = connection.connection
        cursor = db.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            scan_id = cursor.execute(_qmark(insert_scan(alias)), scan_params).fetchone()[0]
            row = cursor.execute(_qmark(count_scan(alias)), count_params(scan_id)).fetchone()
            cursor.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise
        finally:
            cursor.close()
    return (scan_id, *row)


@cache
def _qmark(statement: str) -> str:
    """A statement of this module in the driver's own parameter style (they hold no literal %)."""
    return statement.replace("%s", "?")


def count_scan_params(alias: str, stamp_id: int, now: dt.datetime, scan_id: int, day: dt.date) -> list[Any]:
    """The parameters of `count_scan`, in order."""
    ops = connections[alias].ops
    at = ops.adapt_datetimefield_value(now)
    return [stamp_id, at, scan_id, at, ops.adapt_datefield_value(day)]


def python_values(alias: str, fields: Any, values: Any) -> list[Any]:
    """Column values as the ORM gives them: SQLite keeps times in UTC without a zone (its driver returns text or
    naive datetimes), PostgreSQL returns them aware."""
    out = list(values)
    for index, field in enumerate(fields):
        value = out[index]
        if value is None:
            continue
        if isinstance(field, models.DateTimeField):
            if isinstance(value, str):
                value = parse_datetime(value)
            if value is not None and settings.USE_TZ and not is_aware(value):
                value = make_aware(value, connections[alias].timezone)
            out[index] = value
        elif isinstance(field, models.DateField) and isinstance(value, str):
            out[index] = parse_date(value)
    return out
