"""How the scan log is stored and signed: the table layouts that keep a scan's write small, and the fast paths
that must give exactly what Django's own functions give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.db import connection
from django.test import override_settings
from django.utils.crypto import salted_hmac

from ocop.scans.actions import ua_hash
from ocop.scans.forms import TOKEN_SALT, page_token, read_token
from ocop.scans.models import Scan, ScanSummary


def _table_sql(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        return cursor.fetchone()[0]


def _indexes(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [row[1] for row in cursor.execute(f"PRAGMA index_list({connection.ops.quote_name(table)})")]


@pytest.mark.django_db
def test_scan_tables_are_keyed_by_the_rowid_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's table layout")
    scan = _table_sql(Scan._meta.db_table)
    assert '"id" integer NOT NULL PRIMARY KEY,' in scan and "AUTOINCREMENT" not in scan
    summary = _table_sql(ScanSummary._meta.db_table)
    assert '"stamp_id" integer NOT NULL PRIMARY KEY' in summary
    # No unique index beside the table (a "bigint PRIMARY KEY" would have one), no index of the province.
    assert _indexes(ScanSummary._meta.db_table) == []
    assert _indexes(Scan._meta.db_table) == ["scan_stamp_time"]


@pytest.mark.django_db
def test_scan_keys_stay_bigint_elsewhere():
    if connection.vendor == "sqlite":
        pytest.skip("other databases")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE (table_name, column_name) IN (('scans_scan', 'id'), ('scans_scansummary', 'stamp_id'))"
        )
        assert {row[2] for row in cursor.fetchall()} == {"bigint"}


def test_the_user_agent_hash_is_djangos_salted_hmac():
    for at in (dt.datetime(2026, 3, 5, 1, 2), dt.datetime(2026, 12, 31, 23, 59)):
        for agent in ("Mozilla/5.0 (Linux; Android 14) Zalo", "x" * 600, "Điện thoại"):
            expected = salted_hmac(f"ocop.scans.ua:{at:%Y-%m}", agent[:500], algorithm="sha256").hexdigest()
            assert ua_hash(agent, at) == expected
    assert ua_hash("", dt.datetime(2026, 1, 1)) == ""
    assert ua_hash("a", dt.datetime(2026, 1, 1)) != ua_hash("a", dt.datetime(2026, 2, 1))
    with override_settings(SECRET_KEY="another secret key of the platform, for this test only"):
        assert ua_hash("a", dt.datetime(2026, 1, 1)) == (
            salted_hmac("ocop.scans.ua:2026-01", "a", algorithm="sha256").hexdigest()
        )


def test_page_tokens_are_djangos_signed_values():
    code = "/01/08930000000019/10/A/21/B"
    token = page_token(code=code, stamp_id=1, lot_id=2, product_id=3, scan_id=4)
    assert signing.loads(token, salt=TOKEN_SALT) == {"c": code, "s": 1, "l": 2, "p": 3, "n": 4}
    assert read_token(signing.dumps({"s": 7}, salt=TOKEN_SALT), max_age=60) == {"s": 7}
    assert read_token(token[:-1] + ("A" if token[-1] != "A" else "B"), max_age=60) is None
    assert read_token(signing.dumps({"s": 7}, salt="another.salt"), max_age=60) is None


def test_page_tokens_follow_the_secret_key_and_its_fallbacks():
    with override_settings(SECRET_KEY="the old secret key of the platform, for this test"):
        old = page_token(code="/S/X", stamp_id=1, lot_id=None, product_id=None)
    assert read_token(old, max_age=60) is None
    with override_settings(SECRET_KEY_FALLBACKS=["the old secret key of the platform, for this test"]):
        assert read_token(old, max_age=60) == {"c": "/S/X", "s": 1, "l": None, "p": None, "n": None}


def test_old_page_tokens_expire():
    token = page_token(code="/S/X", stamp_id=1, lot_id=None, product_id=None)
    assert read_token(token, max_age=60) is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: dt.datetime.now().timestamp() + 120)
        assert read_token(token, max_age=60) is None
