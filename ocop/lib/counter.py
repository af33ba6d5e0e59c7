"""A number shared by the processes of one server, read on every request: the generation of per-process caches.

Two stores, the same interface (`get()`, `incr()`):

- `FileCounter`: eight bytes in a file. A read is one `pread()` on a descriptor each process keeps open (about a
  microsecond, against tens for a read from Django's file cache and a network round trip for a cache server); an
  increment takes an exclusive `flock()` around read-and-write. Right for one host, hence for SQLite, whose
  server processes are all on the host of the database file.
- `CacheCounter`: a key in Django's default cache, for several hosts sharing a cache server. Its "increment"
  stores a new random value: some caches (the file cache) increment by a read then a write, so two processes
  incrementing at once could both store the same number and one change would go unnoticed; two random 62-bit
  values never meet.

Both start from a random value: a process never mistakes what it built against another store (a restarted cache
server, a fresh file) for current. Callers compare values for equality only.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import threading

from django.core.cache import cache

_WIDTH = 8


class FileCounter:
    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked process opens its own
            with self._lock:
                if self._fd is None or self._pid != os.getpid():
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                    self._pid = os.getpid()
        return self._fd

    def get(self) -> int:
        data = os.pread(self._descriptor(), _WIDTH, 0)
        if len(data) < _WIDTH:
            return self._start()
        return int.from_bytes(data, "little")

    def _start(self) -> int:
        fd = self._descriptor()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = os.pread(fd, _WIDTH, 0)
            if len(data) == _WIDTH:  # another process started it meanwhile
                return int.from_bytes(data, "little")
            value = secrets.randbits(48)
            os.pwrite(fd, value.to_bytes(_WIDTH, "little"), 0)
            return value
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def incr(self) -> int:
        fd = self._descriptor()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = os.pread(fd, _WIDTH, 0)
            value = int.from_bytes(data, "little") + 1 if len(data) == _WIDTH else secrets.randbits(48)
            os.pwrite(fd, (value % 2**64).to_bytes(_WIDTH, "little"), 0)
            return value
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


class CacheCounter:
    def __init__(self, key: str) -> None:
        self.key = key

    def get(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, secrets.randbits(62), timeout=None)
            value = cache.get(self.key)
            if value is None:  # a cache that keeps nothing: nothing may be reused either
                return secrets.randbits(62)
        return int(value)

    def incr(self) -> int:
        value = secrets.randbits(62)
        cache.set(self.key, value, timeout=None)
        return value


_file_counters: dict[str, FileCounter] = {}


def shared_counter(path: str, cache_key: str) -> FileCounter | CacheCounter:
    """The counter in the file at `path` when one is given, else in the cache under `cache_key`."""
    if not path:
        return CacheCounter(cache_key)
    counter = _file_counters.get(path)
    if counter is None:
        counter = _file_counters.setdefault(path, FileCounter(path))
    return counter
