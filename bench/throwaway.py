"""A throw-away SQLite database for a benchmark script, and the small timing helpers they share.

    from throwaway import setup, Timings
    tmp = setup()          # sets the environment, migrates (real maps and taxonomy), calls django.setup()

Not a benchmark itself (run.py only runs bench_*.py).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup(prefix: str, **env: str) -> Path:
    """Point Django at a fresh folder, migrate it in a child process, set Django up; returns the folder.

    `env` adds or overrides environment variables (e.g. TASKS_BACKEND) before the settings are read.
    """
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ocop.settings",
            "OCOP_DATA_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "CACHE_LOCATION": str(tmp / "cache"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=os.environ)
    print(f"{'migrate (maps + taxonomy)':<44} {time.perf_counter() - start:8.2f} s", flush=True)
    import django

    django.setup()
    return tmp


def cleanup(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Timings:
    """Wall-clock times of repeated runs of one step, in seconds."""

    label: str
    seconds: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, label: str, func: Callable[[], Any], runs: int, warmup: int = 3) -> Timings:
        for _ in range(warmup):
            func()
        timings = cls(label)
        for _ in range(runs):
            start = time.perf_counter()
            func()
            timings.seconds.append(time.perf_counter() - start)
        return timings

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self, extra: str = "") -> str:
        ms = 1000
        return (
            f"{self.label:<44} mean {self.mean * ms:8.3f} ms  p50 {self.percentile(50) * ms:8.3f} ms  "
            f"p95 {self.percentile(95) * ms:8.3f} ms  ({len(self.seconds)} runs){extra}"
        )
