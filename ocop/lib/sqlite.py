"""SQLite under a web server: writers queued by the kernel, WAL checkpoints off the request path.

SQLite lets one connection write at a time, and in WAL mode every write goes to the log first; the log is copied
back into the database ("checkpoint", with an fsync) when it passes 1,000 pages, by whichever connection happens
to commit then. Two costs follow under a burst of short writes from several server processes (the scan page):

- A connection that finds the write lock taken waits in SQLite's busy handler, which polls: it sleeps 1, 2, 5,
  10, 15 … ms between tries, so a waiting writer mostly sleeps after the lock was already free.
  `write_gate(alias)` takes an exclusive `flock()` on a file next to the database before a short, hot write
  transaction begins and gives it back after it ends: a waiting process is woken by the kernel the moment the
  lock is released. It is taken only at the outermost level (inside an open transaction the database's write
  lock is already held) and never for PostgreSQL or an in-memory database. Writers that do not take the gate
  still meet the database's own lock and wait on it as before.
- The request that triggers a checkpoint pays for it: a scan that takes 0.6 ms took 4 ms one time in a hundred.
  `serve_checkpoints()` (called by `ocop/wsgi.py`, so only in web server processes) turns the automatic
  checkpoint off for the process's own connections and starts one daemon thread that runs a PASSIVE checkpoint
  every SQLITE_CHECKPOINT_INTERVAL seconds on a connection of its own (the driver releases the interpreter lock
  while SQLite works, so requests go on). Other processes (the worker, management commands) keep SQLite's
  automatic checkpoint; a PASSIVE checkpoint never blocks a reader or a writer.
- Under a steady stream of writes the log never starts again from its beginning: a PASSIVE checkpoint copies it
  back, but a write is appended before it is all copied, and SQLite only rewinds a log that is. The log grew to
  350 MB in a five-minute benchmark, and every read searched a wal-index that grew with it (scans slowed down
  round after round). When the log holds more than RESTART_FRAMES pages after its PASSIVE checkpoint, the
  thread takes the write gate (scans wait on the kernel's lock for it) and runs a RESTART checkpoint, which
  copies the few pages left, waits for readers to leave the log (RESTART_WAIT_MS at most: a long reader
  postpones it to the next round) and makes the next writer start the log again from its beginning.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)
_local = threading.local()


def database_file(connection: Any) -> str | None:
    """The path of a connection's SQLite file; None for another database or an in-memory one."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    return str(connection.settings_dict["NAME"])


# --- The write gate ----------------------------------------------------------------------------------------
def _descriptor(path: str) -> int:
    """One descriptor per thread and file: flock() locks belong to the open file, so two threads of a process
    (each with its own database connection) queue like two processes."""
    fds: dict[str, int] = _local.__dict__.setdefault("fds", {})
    fd = fds.get(path)
    if fd is None:
        fd = fds[path] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    return fd


@contextmanager
def _gate(path: str) -> Iterator[None]:
    fd = _descriptor(path)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def write_gate(alias: str) -> Any:
    """A context manager to hold around a short write transaction (see the module's docstring)."""
    connection = connections[alias]
    path = None if connection.in_atomic_block else database_file(connection)
    return nullcontext() if path is None else _gate(f"{path}-writegate")


# --- Checkpoints in the background -------------------------------------------------------------------------
# A log longer than this many pages (64 MB of 4 KB pages) is rewound (see the module's docstring). Under the
# scan benchmark's load that is every two seconds or so; at 4,096 pages (twice a second) the scans' p99 was higher.
RESTART_FRAMES = 16384
RESTART_WAIT_MS = 20


class Checkpointer(threading.Thread):
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` on `path` every `interval` seconds until stopped, and a RESTART
    checkpoint when the log holds more than `restart_frames` pages."""

    def __init__(self, path: str, interval: float, restart_frames: int = RESTART_FRAMES) -> None:
        super().__init__(name=f"sqlite-checkpoint:{os.path.basename(path)}", daemon=True)
        self.path = path
        self.interval = interval
        self.restart_frames = restart_frames
        self.stopped = threading.Event()
        self.runs = 0  # checkpoints that copied at least one page back
        self.restarts = 0  # RESTART checkpoints that completed: the next write starts the log again
        self.failures = 0

    def checkpoint(self, db: sqlite3.Connection) -> None:
        _busy, log_frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if copied > 0:
            self.runs += 1
        if log_frames > self.restart_frames:
            with _gate(f"{self.path}-writegate"):
                busy, _log_frames, _copied = db.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            if not busy:
                self.restarts += 1

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
        # How long a RESTART checkpoint waits for a writer that does not take the gate, and for readers.
        db.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.checkpoint(db)
                except sqlite3.Error:
                    # A checkpoint that could not run now is done by the next one; the log keeps every change.
                    self.failures += 1
                    log.warning("WAL checkpoint of %s failed", self.path, exc_info=True)
        finally:
            db.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


_checkpointers: dict[tuple[int, str], Checkpointer] = {}
_checkpointers_lock = threading.Lock()


def _checkpointer_for(path: str, interval: float) -> Checkpointer:
    key = (os.getpid(), path)  # a forked process starts its own thread
    with _checkpointers_lock:
        thread = _checkpointers.get(key)
        if thread is None or not thread.is_alive():
            thread = _checkpointers[key] = Checkpointer(path, interval)
            thread.start()
        return thread


def _no_autocheckpoint(sender: Any, connection: Any, **kwargs: Any) -> None:
    path = database_file(connection)
    interval = settings.SQLITE_CHECKPOINT_INTERVAL
    if path is None or interval <= 0:
        return
    # The thread first: from now on this process's connections leave the log to it.
    _checkpointer_for(path, interval)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=0")


def serve_checkpoints() -> None:
    """In a web server process: checkpoints by a background thread rather than by the requests (see above)."""
    if settings.SQLITE_CHECKPOINT_INTERVAL > 0:
        connection_created.connect(_no_autocheckpoint, dispatch_uid="ocop.lib.sqlite.no_autocheckpoint")
