"""Run every benchmark script in this folder (bench_*.py) and print its figures.

Each script runs in its own process, so one benchmark's throw-away database
and settings never leak into the next. `make bench` calls this.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("no benchmark found in", HERE)
        return 1
    failed = 0
    for script in scripts:
        print(f"=== {script.name} ===", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(f"--- {script.name}: exit {result.returncode}, {time.perf_counter() - start:.1f} s\n", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
