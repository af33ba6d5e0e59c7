"""SQLite under the web server (ocop/lib/sqlite.py): the writers' gate and the background WAL checkpoints."""

import os
import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.backends.sqlite3.base import DatabaseWrapper

from ocop.lib import sqlite


def _wal_database(path, rows=0):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    for i in range(rows):
        db.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}" * 20,))
    return db


def test_database_file_only_for_sqlite_files(tmp_path):
    on_disk = SimpleNamespace(vendor="sqlite", is_in_memory_db=lambda: False, settings_dict={"NAME": tmp_path / "a"})
    in_memory = SimpleNamespace(vendor="sqlite", is_in_memory_db=lambda: True, settings_dict={"NAME": ":memory:"})
    postgres = SimpleNamespace(vendor="postgresql", is_in_memory_db=lambda: False, settings_dict={"NAME": "ocop"})
    assert sqlite.database_file(on_disk) == str(tmp_path / "a")
    assert sqlite.database_file(in_memory) is None
    assert sqlite.database_file(postgres) is None


def test_the_gate_queues_writers_until_the_holder_leaves(tmp_path):
    path = str(tmp_path / "db.sqlite3-writegate")
    inside = threading.Event()
    order = []

    def first():
        with sqlite._gate(path):
            inside.set()
            time.sleep(0.3)
            order.append("first leaves")

    def second():
        inside.wait()
        with sqlite._gate(path):
            order.append("second enters")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["first leaves", "second enters"]


@pytest.mark.django_db
def test_no_gate_inside_a_transaction_nor_for_the_test_database():
    # The test database is in memory on SQLite and a server on PostgreSQL: never gated.
    assert sqlite.write_gate("default").__class__.__name__ == "nullcontext"
    with transaction.atomic():
        assert sqlite.write_gate("default").__class__.__name__ == "nullcontext"


def test_the_checkpointer_copies_the_log_back(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    db = _wal_database(path, rows=500)
    _busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames > 0  # the log holds the rows; nothing copies it back automatically
    db.execute("INSERT INTO t (v) VALUES ('after')")
    thread = sqlite.Checkpointer(path, interval=0.02)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while thread.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert thread.runs >= 1
        assert thread.failures == 0
    finally:
        thread.stop()
    assert not thread.is_alive()
    # Everything in the log is already in the database: a checkpoint now has nothing left to copy.
    _busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames == copied
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 501
    db.close()


def test_a_server_process_leaves_checkpoints_to_its_thread(tmp_path, settings, django_db_blocker):
    settings.SQLITE_CHECKPOINT_INTERVAL = 0.05
    path = str(tmp_path / "served.sqlite3")
    _wal_database(path).close()
    wrapper = DatabaseWrapper(
        {
            "NAME": path,
            "ENGINE": "django.db.backends.sqlite3",
            "OPTIONS": {},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        },
        alias="served",
    )
    sqlite.serve_checkpoints()
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:  # a database of its own, not the test one
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 0
        thread = sqlite._checkpointers[(os.getpid(), path)]
        assert thread.is_alive()
        assert thread.interval == 0.05
    finally:
        connection_created.disconnect(dispatch_uid="ocop.lib.sqlite.no_autocheckpoint")
        wrapper.close()
        thread = sqlite._checkpointers.pop((os.getpid(), path), None)
        if thread is not None:
            thread.stop()


def test_checkpoints_stay_with_sqlite_when_turned_off(tmp_path, settings):
    settings.SQLITE_CHECKPOINT_INTERVAL = 0
    sqlite.serve_checkpoints()
    assert all(key[0] != "ocop.lib.sqlite.no_autocheckpoint" for key, *_ in connection_created.receivers)


def test_the_wsgi_entry_point_serves_sqlite_with_background_checkpoints(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE", "SQLITE_CHECKPOINT_MS"}
    }
    env.update({"OCOP_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}"})
    script = (
        "import gc, threading\n"
        "import ocop.wsgi\n"
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA wal_autocheckpoint')\n"
        "    print(cursor.fetchone()[0])\n"
        "print(gc.get_freeze_count() > 0)\n"
        "print(any(t.name.startswith('sqlite-checkpoint:') for t in threading.enumerate()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "True", "True"]


def test_a_long_log_is_started_again_from_its_beginning(tmp_path):
    """A PASSIVE checkpoint copies the log back but never rewinds it while writes keep coming; past
    `restart_frames` pages the checkpointer rewinds it (under the write gate): the next write starts the log at
    its first frame instead of appending to a log that only grows."""
    path = str(tmp_path / "db.sqlite3")
    db = _wal_database(path, rows=500)
    log = Path(path + "-wal")
    checkpointer = sqlite.Checkpointer(path, interval=60, restart_frames=10)
    own = sqlite3.connect(path, isolation_level=None)
    checkpointer.checkpoint(own)
    assert checkpointer.restarts == 1
    size = log.stat().st_size
    db.execute("INSERT INTO t (v) VALUES ('after')")
    _busy, frames, _copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert frames <= 3 and log.stat().st_size <= size  # rewound: written over, not appended
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 501

    # Below the limit: only the PASSIVE checkpoint, the log is left as it is.
    calm = sqlite.Checkpointer(path, interval=60, restart_frames=10_000)
    for _ in range(20):
        db.execute("INSERT INTO t (v) VALUES ('more')")
    calm.checkpoint(own)
    assert calm.restarts == 0 and calm.runs == 1

    # A reader still in the log: the RESTART gives up after its short wait (next round), the gate is free again.
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()
    for _ in range(20):
        db.execute("INSERT INTO t (v) VALUES ('more')")
    started = time.monotonic()
    own.execute(f"PRAGMA busy_timeout={sqlite.RESTART_WAIT_MS}")
    checkpointer.checkpoint(own)
    assert time.monotonic() - started < 2 and checkpointer.restarts == 1
    with sqlite._gate(f"{path}-writegate"):
        pass
    reader.execute("COMMIT")
    reader.close()
    own.close()
    db.close()
