"""Production settings: `check --deploy` is clean and strict parsing refuses bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, env_extra, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"OCOP_DATA_DIR": str(tmp_path / "data"), **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _production_env(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 20 + "-production-secret-key-for-the-deploy-check-0123456789")
    return {
        "OCOP_PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY_FILE": str(secret),
        "ALLOWED_HOSTS": "ocop.example.gov.vn",
    }


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_must_be_exactly_true_or_false(tmp_path):
    env = _production_env(tmp_path) | {"DEBUG": "flase"}
    result = _run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be exactly 'true' or 'false'" in result.stderr


def test_production_refuses_to_start_without_secret_key_file(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY_FILE"]
    result = _run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr


def test_production_refuses_debug(tmp_path):
    env = _production_env(tmp_path) | {"DEBUG": "true"}
    result = _run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "DEBUG=true is refused" in result.stderr


def test_short_secret_key_refused(tmp_path):
    env = _production_env(tmp_path)
    Path(env["SECRET_KEY_FILE"]).write_text("short")
    result = _run(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "shorter than 50" in result.stderr


def test_sqlite_is_tuned_for_a_server(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite tuning applies to SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_new_sqlite_connection_keeps_32_mb_of_pages(db, tmp_path):
    # On a connection of its own: the national data generator raises the shared test connection's cache.
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connection.vendor != "sqlite":
        pytest.skip("SQLite tuning applies to SQLite only")
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "new.sqlite3")})
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -32 * 1024  # kibibytes
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        wrapper.close()
