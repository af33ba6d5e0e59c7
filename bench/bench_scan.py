"""Benchmark of the public scan page under load, served by gunicorn on loopback.

In a throw-away SQLite database: a verified producer, a product with a GTIN
and a 4★ certificate in force, a lot with two trace events, and 10,000 stamps
issued through `stamps.actions.issue_batch()` and activated. The platform is
served by gunicorn as in production (WSGI, `--workers 2 --threads 1`, on
127.0.0.1 and a free port, persistent database connections: CONN_MAX_AGE=60
unless set), with the benchmark's own settings and URLconf
(`bench/scansite/`: the platform's URLs plus one minimal Django view, going
through the same middleware).

Load: `wrk` (Debian package; `make bench` installs it) with 32 connections for
DURATION seconds per measurement, after a short warm-up. The scan requests go
round the 10,000 genuine stamps' printed addresses (GS1 Digital Link), each a
fresh phone (no cookie): every request is counted, so each writes a scan row
and updates the stamp's running figures — that is part of what is measured.
Without wrk, a small Python load generator (threads and http.client) stands in.

1. The scan page against the minimal view: requests per second, p50, p99,
   and the ratio of requests per second; then more rounds of the two at 32
   connections, alternating (`--rounds`, 3 in all by default), and the
   median ratio and p99 over the rounds.
2. The same scan requests with 10,000 stamps in the table and then with
   BIG_TABLE stamps (the other rows are written with one raw executemany into
   the same table, for another batch, in serial order to keep it bounded;
   the server is restarted after the insert). Also a single connection's
   latency (no queueing), the figure that the table size should not move.

Prints the figures and ratios; asserts nothing about time (only that the
answers are 200s). `--quick` stops after part 1.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from throwaway import ROOT, cleanup, setup

STAMPS = 10_000
BIG_TABLE = 10_000_000
CONNECTIONS = 32
DURATION = 10
SINGLE_DURATION = 8
WARMUP = 2
PAUSE = 3


# --- Load --------------------------------------------------------------------------------------------------
@dataclass
class Load:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def line(self) -> str:
        errors = f"  {self.errors} errors/non-2xx" if self.errors else ""
        return (
            f"{self.label:<46} {self.rps:8.0f} req/s  p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  "
            f"({self.requests} requests){errors}"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def _wrk(label: str, base: str, paths: list[str], connections: int, seconds: int, tmp: Path) -> Load:
    script = tmp / "paths.lua"
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    script.write_text(
        "local paths = {\n" + quoted + "\n}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format('GET', paths[(n % #paths) + 1])\n"
        "end\n",
        encoding="utf-8",
    )
    # One wrk thread: the machine's cores are for the server.
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s))\s*$", out, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(
        label,
        float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        _ms(percentiles["50"]),
        _ms(percentiles["99"]),
        int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def _python_load(label: str, base: str, paths: list[str], connections: int, seconds: int, _tmp: Path) -> Load:
    """wrk's stand-in: `connections` threads each sending requests one after another for `seconds`."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        mine: list[float] = []
        failed = 0
        n = offset
        while time.perf_counter() < deadline:
            n += connections
            start = time.perf_counter()
            try:
                # gunicorn's sync workers close each connection after one answer, as they do for wrk.
                conn = HTTPConnection(host, int(port), timeout=30)
                conn.request("GET", paths[n % len(paths)])
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies) or [0.0]

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return Load(label, len(latencies) / elapsed, pick(50), pick(99), len(latencies), errors[0])


LOAD = _wrk if shutil.which("wrk") else _python_load


# --- The server --------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the platform (bench/scansite settings) on 127.0.0.1."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # The pages are measured, not their style sheets: an empty static folder keeps WhiteNoise quiet.
        static = self.tmp / "static"
        static.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "scansite.settings",
            "STATIC_ROOT": str(static),
            # Persistent database connections, as a server under load runs: without them every request opens
            # SQLite afresh and, when it was the last connection, closing it checkpoints the WAL (an fsync per
            # scan). The minimal view uses no database, so this changes only the scan page's figures.
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "ocop.wsgi:application",
                "--pythonpath",
                str(ROOT / "bench"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "1",
                "--error-logfile",
                str(self.tmp / "gunicorn.log"),
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.tmp / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(self.base + "/bench/minimal/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# --- Data --------------------------------------------------------------------------------------------------
def prepare() -> tuple[list[str], int]:
    """The genuine stamps' printed paths, and the pk of their lot."""
    import datetime as dt

    from stampdata import certified_lot

    from ocop.lib import clock
    from ocop.stamps import actions
    from ocop.stamps.models import BatchStatus
    from ocop.traceability import actions as trace_actions

    user, lot = certified_lot(STAMPS + 1000)
    for stage, days_ago, actor in (("harvest", 3, "HTX Vải thiều Benchmark"), ("packing", 2, "Xưởng đóng gói Chũ")):
        trace_actions.add_event(
            lot,
            {
                "event_type": stage,
                "occurred_at": clock.now() - dt.timedelta(days=days_ago),
                "tz_offset": "+07:00",
                "actor": actor,
                "place": "Vùng trồng thôn Hồng Xuân",
            },
        )
    start = time.perf_counter()
    batch = actions.issue_batch(lot, count=STAMPS, signed=False, by=user)  # generated at once (ImmediateBackend)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.READY, batch.error
    actions.activate(batch)
    print(f"{'issue + activate ' + format(STAMPS, ',') + ' stamps':<46} {time.perf_counter() - start:8.2f} s")
    paths = ["/" + s.uri.split("://", 1)[1].split("/", 1)[1] for s in actions.printed_stamps(batch)]
    return paths, lot.pk


def queries_per_scan(path: str) -> int:
    import warnings

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    return len(queries)


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode())


def fill_table(database: Path, lot_id: int, rows: int) -> float:
    """`rows` more stamps of another batch, by raw executemany; serials are random but inserted in order
    (one sorted run per first character), so the unique index grows by appending."""
    from ocop.stamps.models import BatchStatus, StampBatch

    filler = StampBatch.objects.create(lot_id=lot_id, count=rows, status=BatchStatus.READY, generated=rows)
    from django.db import connection

    connection.close()
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-262144")  # 256 MB: the index being built stays in memory
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    seq = 0
    per_head = -(-rows // len(CROCKFORD))
    for head in CROCKFORD:
        count = min(per_head, rows - seq)
        if count <= 0:
            break
        # 19 random characters per serial: 15 random bytes are 24 base32 characters.
        text = base64.b32encode(secrets.token_bytes(15 * count)).translate(_TO_CROCKFORD).decode("ascii")
        tails = sorted({text[i * 24 : i * 24 + 19] for i in range(count)})
        db.executemany(
            "INSERT INTO stamps_stamp (batch_id, seq, serial, state, activated_at, reason) "
            "VALUES (?, ?, ?, 2, '2026-01-01 00:00:00', '')",
            ((filler.pk, seq + i + 1, head + tail) for i, tail in enumerate(tails)),
        )
        seq += len(tails)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - start
    total = db.execute("SELECT count(*) FROM stamps_stamp").fetchone()[0]
    db.close()
    print(f"{'raw executemany of ' + format(seq, ',') + ' more stamps':<46} {seconds:8.2f} s  ({total:,} in the table)")
    return seconds


# --- The run -----------------------------------------------------------------------------------------------
def measure(server: Server, label: str, paths: list[str], tmp: Path) -> tuple[Load, Load]:
    """32 connections, then one connection, on the same paths."""
    loaded = LOAD(label + f", {CONNECTIONS} conn.", server.base, paths, CONNECTIONS, DURATION, tmp)
    print(loaded.line(), flush=True)
    # gunicorn still answers the connections queued when wrk stopped: let them drain first.
    time.sleep(PAUSE)
    single = LOAD(label + ", 1 conn.", server.base, paths, 1, SINGLE_DURATION, tmp)
    print(single.line(), flush=True)
    return loaded, single


def main(tmp: Path, *, quick: bool = False, rounds: int = 3) -> None:
    from django.conf import settings

    paths, lot_id = prepare()
    print(f"{'queries per scan page (counted scan)':<46} {queries_per_scan(paths[-1]):8d}")
    database = Path(settings.DATABASES["default"]["NAME"])
    minimal = ["/bench/minimal/"]
    tool = "wrk" if LOAD is _wrk else "Python load generator (wrk not installed)"
    print(f"\nload: {tool}; gunicorn --workers 2 --threads 1; the scan requests go round {len(paths):,} stamps\n")

    server = Server(tmp)
    server.start()
    try:
        LOAD("warm-up", server.base, minimal, 4, WARMUP, tmp)
        LOAD("warm-up", server.base, paths, 4, WARMUP, tmp)
        time.sleep(PAUSE)
        base_load, base_single = measure(server, "minimal Django view", minimal, tmp)
        time.sleep(PAUSE)
        scan_load, scan_single = measure(server, f"scan page, {STAMPS:,} stamps", paths, tmp)
        pairs = [(base_load, scan_load)]
        # More rounds at 32 connections, the two alternating: a shared machine's noise moves single runs.
        for round_ in range(2, rounds + 1):
            time.sleep(PAUSE)
            base = LOAD(
                f"minimal Django view, {CONNECTIONS} conn. (round {round_})",
                server.base,
                minimal,
                CONNECTIONS,
                DURATION,
                tmp,
            )
            print(base.line(), flush=True)
            time.sleep(PAUSE)
            scanned = LOAD(
                f"scan page, {CONNECTIONS} conn. (round {round_})", server.base, paths, CONNECTIONS, DURATION, tmp
            )
            print(scanned.line(), flush=True)
            pairs.append((base, scanned))
    finally:
        server.stop()
    ratios = [s.rps / b.rps for b, s in pairs]
    print(f"\n{'scan page / minimal view (req/s), per round':<46} " + "  ".join(f"{r:.2f}" for r in ratios))
    print(f"{'scan page / minimal view (req/s), median':<46} {statistics.median(ratios):8.2f} x   (target >= 0.5 x)")
    p99s = [s.p99_ms for _b, s in pairs]
    print(f"{'scan page p99 at 32 connections, per round':<46} " + "  ".join(f"{p:.1f}" for p in p99s))
    print(f"{'scan page p99 at 32 connections, median':<46} {statistics.median(p99s):8.2f} ms  (target <= 20 ms)")
    print(f"{'scan page / minimal view, 1 conn. p50':<46} {scan_single.p50_ms / base_single.p50_ms:8.1f} x\n")
    if quick:
        return

    fill_table(database, lot_id, BIG_TABLE - STAMPS)
    server.start()
    try:
        LOAD("warm-up", server.base, paths, 4, WARMUP, tmp)
        time.sleep(PAUSE)
        big_load, big_single = measure(server, f"scan page, {BIG_TABLE:,} stamps", paths, tmp)
    finally:
        server.stop()
    print(
        f"{'latency ' + format(BIG_TABLE, ',') + ' / ' + format(STAMPS, ',') + ', 1 conn. p50':<46} "
        f"{big_single.p50_ms / scan_single.p50_ms:8.2f} x   (target <= 1.2 x)"
    )
    print(f"{'  same, 32 connections p50':<46} {big_load.p50_ms / scan_load.p50_ms:8.2f} x")
    print(f"{'  same, 32 connections p99':<46} {big_load.p99_ms / scan_load.p99_ms:8.2f} x")
    print(f"{'  same, 32 connections req/s':<46} {big_load.rps / scan_load.rps:8.2f} x")


if __name__ == "__main__":
    import argparse

    from stampdata import SITE_URL

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help=f"skip the {BIG_TABLE:,}-stamp table (part 2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the two at 32 connections (default 3)")
    args = parser.parse_args()
    tmp = setup("ocop-bench-scan-", SITE_URL=SITE_URL, STAMP_MAX_PER_BATCH=str(BIG_TABLE))
    try:
        main(tmp, quick=args.quick, rounds=max(1, args.rounds))
    finally:
        cleanup(tmp)
    sys.exit(0)
