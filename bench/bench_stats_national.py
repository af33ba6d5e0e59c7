"""Benchmark of the statistics pages and exports on the national data set, on SQLite and on PostgreSQL.

For each database, in a throw-away database of its own (a temporary SQLite file; a PostgreSQL database named
bench_national_<pid> on the server of BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test,
dropped at the end):

1. migrate (maps and taxonomy), then `ocop.stats.national.generate` the national set: 34 provinces, 10,000
   producers, 20,000 products, 60,000 dossiers, 1,000,000 criterion scores, 5 years of history (timed);
2. a central officer, the provincial officer of the province with the most products and the commune officer of
   its busiest commune log in (second factor passed as the tests do, `ocop.testing.login`);
3. every statistics view and export is requested through Django's test client: p50/p95 over several runs
   after a warm-up, and the number of SQL queries of one request. Cold: each view follows a change (the
   figures kept between requests, `ocop.stats.cache`, are computed afresh); warm: the same view again with
   nothing changed in between (views only: the exports are timed cold).

Targets (issue 6): under 300 ms per dashboard view, under 10 s for the national Excel export; the table marks
each line against its target, cold and warm, but nothing is asserted about time. Each case gets at most --runs
(views) or --export-runs (exports) timed runs within --budget seconds after its warm-up; a case slower than the
budget is timed once (its warm-up), so slow views cannot stretch the run without bound.

    .venv/bin/python bench/bench_stats_national.py                 # both databases
    .venv/bin/python bench/bench_stats_national.py --db sqlite --runs 5
    .venv/bin/python bench/bench_stats_national.py --products 2000 --producers 1000 --dossiers 6000 --scores 100000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PAST_DAY = "2023-12-31"  # before the merger of 1 July 2025: figures on the legacy map


@dataclass
class Case:
    label: str
    who: str  # central | province | commune | anonymous
    url: str
    target: float | None  # seconds
    export: bool = False


def cases(province_code: str) -> list[Case]:
    from django.urls import reverse

    dash = reverse("stats:dashboard")
    lst = reverse("stats:product_list")
    dash_target, export_target = 0.3, 10.0
    return [
        Case("dashboard, national (central)", "central", dash, dash_target),
        Case("dashboard, province (provincial office)", "province", dash, dash_target),
        Case("dashboard, commune (commune officer)", "commune", dash, dash_target),
        Case("dashboard, province by central", "central", f"{dash}?area={province_code}&map=current", dash_target),
        Case(f"dashboard, national as of {PAST_DAY}", "central", f"{dash}?as_of={PAST_DAY}", dash_target),
        Case(
            "dashboard, filters (4★, category I, HTX)",
            "central",
            f"{dash}?star=4&category=1&kind=cooperative",
            dash_target,
        ),
        Case("product list, national (central)", "central", lst, dash_target),
        Case("product list, province, 4★", "province", f"{lst}?star=4", dash_target),
        Case("product list, national, page 50", "central", f"{lst}?page=50", dash_target),
        Case(f"product list, as of {PAST_DAY}", "central", f"{lst}?as_of={PAST_DAY}", dash_target),
        Case("API stats/products, national", "anonymous", "/api/v1/stats/products", dash_target),
        Case(
            "API stats/products, province", "anonymous", f"/api/v1/stats/products?province={province_code}", dash_target
        ),
        Case("export xlsx, national", "central", reverse("stats:export_xlsx"), export_target, True),
        Case("export xlsx, province", "province", reverse("stats:export_xlsx"), export_target, True),
        Case("export csv, national", "central", reverse("stats:export_csv"), export_target, True),
        Case("export pdf, national", "central", reverse("stats:export_pdf"), export_target, True),
    ]


def _fetch(client: Any, url: str) -> tuple[int, int]:
    response = client.get(url)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return response.status_code, len(body)


def _users() -> tuple[dict[str, Any], str]:
    from django.db.models import Count
    from django.test import Client

    from ocop.accounts.models import Role, User
    from ocop.geo.models import AdminUnit
    from ocop.registry.models import Product
    from ocop.testing import login

    top = Product.objects.values("province").annotate(n=Count("id")).order_by("-n", "province").first()
    province = AdminUnit.objects.get(pk=top["province"])
    busiest = (
        Product.objects.filter(province=province)
        .values("current_commune")
        .annotate(n=Count("id"))
        .order_by("-n", "current_commune")
        .first()
    )
    commune = AdminUnit.objects.get(pk=busiest["current_commune"])
    specs = {
        "central": {"role": Role.CENTRAL},
        "province": {"role": Role.PROVINCE, "province": province},
        "commune": {"role": Role.COMMUNE, "commune": commune, "province": province},
    }
    clients: dict[str, Any] = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for who, spec in specs.items():
        user, _ = User.objects.get_or_create(username=f"bench_{who}", defaults={"full_name": who, **spec})
        clients[who] = login(Client(HTTP_HOST="127.0.0.1"), user)
    print(f"province: {province.name} ({top['n']} products); commune: {commune.name} ({busiest['n']})")
    return clients, province.code


@dataclass
class Result:
    case: Case
    status: int
    size: int
    cold: Any  # Timings of the first view after a change (None: not timed)
    cold_queries: int
    warm: Any = None  # Timings of repeated views, nothing changed in between (None: not measured)
    warm_queries: int | None = None


def _timed(client: Any, url: str, timings: Any, limit: int, budget: float, before: Any = None) -> None:
    """Up to `limit` timed requests within `budget` seconds (at least one); `before()` runs untimed before each."""
    deadline = time.perf_counter() + budget
    while len(timings.seconds) < limit and (not timings.seconds or time.perf_counter() < deadline):
        if before is not None:
            before()
        start = time.perf_counter()
        _fetch(client, url)
        timings.seconds.append(time.perf_counter() - start)


def measure(runs: int, export_runs: int, budget: float) -> list[Result]:
    import warnings

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch
    from throwaway import Timings

    try:
        from ocop.stats.cache import changed
    except ImportError:  # a checkout from before the figures were kept between requests: every view is cold
        changed = None
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic in a throw-away run
    clients, province_code = _users()
    try:
        todo = cases(province_code)
    except NoReverseMatch as exc:
        print(f"statistics views not available: {exc}")
        return []
    results = []
    for case in todo:
        client = clients[case.who]
        if changed is not None:
            changed()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            status, size = _fetch(client, case.url)
        first = time.perf_counter() - start
        count = len(queries)  # read now: the next request clears the connection's query log
        if status != 200:
            print(f"{case.label:<44} HTTP {status}: not timed", flush=True)
            results.append(Result(case, status, size, None, count))
            continue
        # The first request is the warm-up (of the code, not of the figures); the timed runs stop early when a
        # case uses up its time budget, so a slow view cannot stretch the benchmark without bound.
        # Cold: a change before each view (what the first reader after any write waits for).
        cold = Timings(case.label)
        limit = (export_runs if case.export else runs) if first < budget else 0
        _timed(client, case.url, cold, limit, budget, before=changed)
        if not cold.seconds:
            cold.seconds.append(first)  # too slow to repeat: the warm-up is the only figure
        result = Result(case, status, size, cold, count)
        # Warm: the same view again with nothing changed (the figures kept since the view before).
        if changed is not None and not case.export:
            with CaptureQueriesContext(connection) as queries:
                _fetch(client, case.url)
            result.warm_queries = len(queries)
            result.warm = Timings(case.label)
            _timed(client, case.url, result.warm, runs, budget)
        extra = f"  {count} queries, {size:,} bytes"
        if result.warm is not None:
            extra += f"; warm p50 {result.warm.percentile(50) * 1000:.1f} ms, {result.warm_queries} queries"
        print(cold.line(extra), flush=True)
        results.append(result)
    return results


def table(vendor: str, results: list[Result]) -> None:
    # The machine's load with the figures: timings taken while other work runs are not comparable with others.
    load = " / ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"\n{vendor}: statistics on the national data set (cold: the first view after a change; warm: again)")
    print(f"load average (1 / 5 / 15 min) when the table was printed: {load}")
    header = (
        f"{'view / export':<44} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9} {'runs':>5} "
        f"{'queries':>8} {'target':>9}  verdict (cold / warm)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        case = r.case
        target = f"< {case.target * 1000:.0f} ms" if case.target and case.target < 1 else f"< {case.target:.0f} s"
        if r.cold is None:
            dashes = " ".join(f"{'-':>9}" for _ in range(4))
            print(f"{case.label:<44} {dashes} {'-':>5} {r.cold_queries:>8} {target:>9}  HTTP {r.status}")
            continue

        def verdict(timings: Any, goal: float | None = case.target) -> str:
            return "ok" if goal is None or timings.percentile(95) < goal else "OVER"

        cold50, cold95 = r.cold.percentile(50) * 1000, r.cold.percentile(95) * 1000
        if r.warm is not None:
            warm = f"{r.warm.percentile(50) * 1000:7.0f}ms {r.warm.percentile(95) * 1000:7.0f}ms"
            queries = f"{r.cold_queries}/{r.warm_queries}"
            verdicts = f"{verdict(r.cold)} / {verdict(r.warm)}"
        else:
            warm, queries, verdicts = f"{'-':>9} {'-':>9}", str(r.cold_queries), verdict(r.cold)
        print(
            f"{case.label:<44} {cold50:7.0f}ms {cold95:7.0f}ms {warm} {len(r.cold.seconds):>5} {queries:>8} "
            f"{target:>9}  {verdicts}"
        )


def child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(HERE))
    from throwaway import cleanup, setup

    db_name = ""
    env: dict[str, str] = {}
    if args.db == "postgres":
        import psycopg

        base = POSTGRES_URL.rsplit("/", 1)[0]
        db_name = f"bench_national_{os.getpid()}"
        try:
            with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'CREATE DATABASE "{db_name}"')
        except psycopg.OperationalError as exc:
            print(f"PostgreSQL not reachable at {base}: {exc}; skipped")
            return 0
        env["DATABASE_URL"] = f"{base}/{db_name}"
    tmp = setup("ocop-bench-national-", **env)
    try:
        from django.db import connection

        from ocop.stats.national import Scale, generate

        scale = Scale(
            producers=args.producers,
            products=args.products,
            dossiers=args.dossiers,
            scores=args.scores,
            years=args.years,
            seed=args.seed,
        )
        start = time.perf_counter()
        summary = generate(scale)
        generation = time.perf_counter() - start
        counts = ", ".join(f"{n:,} {name}" for name, n in summary.counts.items())
        print(f"{'generate (national set)':<44} {generation:8.2f} s  {counts}", flush=True)
        results = measure(args.runs, args.export_runs, args.budget)
        table(f"{connection.vendor} (generation {generation:.1f} s)", results)
        connection.close()
    finally:
        cleanup(tmp)
        if db_name:
            import psycopg

            with psycopg.connect(f"{POSTGRES_URL.rsplit('/', 1)[0]}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per view")
    parser.add_argument("--export-runs", type=int, default=3, help="timed runs per export")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds of timed runs per case at most")
    parser.add_argument("--producers", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--dossiers", type=int, default=60_000)
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.db != "both":
        return child(args)
    # One process per database: each has its own settings and throw-away database.
    start = time.perf_counter()
    failed = 0
    for db in ("sqlite", "postgres"):
        print(f"=== {db} ===", flush=True)
        argv = [f"--{name.replace('_', '-')}={value}" for name, value in vars(args).items() if name != "db"]
        failed += subprocess.run([sys.executable, __file__, f"--db={db}", *argv], check=False).returncode != 0
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
