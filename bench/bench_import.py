"""Benchmark of the spreadsheet import: 2,000 producers, then 10,000 products with their ratings.

Runs in a throw-away SQLite database (a temporary OCOP_DATA_DIR, migrated
from scratch, so the administrative maps and the taxonomy are real). Times the
upload check, the dry run and the import separately, with the audit log on,
and compares the product import with a raw baseline: sqlite3 `executemany` of
the same rows into a bare table. Prints rows per second and peak memory.

Not a test: figures depend on the machine. Run with `python bench/run.py`
(or `make bench`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRODUCERS = int(os.environ.get("BENCH_PRODUCERS", "2000"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))

TMP = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "ocop.settings",
        "OCOP_DATA_DIR": str(TMP),
        "DATABASE_URL": f"sqlite:///{TMP / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(TMP / "media"),
        "CACHE_LOCATION": str(TMP / "cache"),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "WARNING",
    }
)


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux: the process's peak resident memory so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func, rows: int):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    rate = rows / seconds if seconds else float("inf")
    print(f"{label:<34} {seconds:7.2f} s  {rate:9.0f} rows/s  peak RSS {peak_mb():6.0f} MB", flush=True)
    return result, seconds


def main() -> None:
    # Migrations load both administrative maps; they run in a child process so
    # the peak memory printed below is the import's, not the map loader's.
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=os.environ)
    print(f"{'migrate (maps + taxonomy)':<34} {time.perf_counter() - start:7.2f} s", flush=True)

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    print(f"{'after django.setup()':<34} peak RSS {peak_mb():6.0f} MB", flush=True)

    from ocop.accounts.models import Role, User
    from ocop.audit.models import AuditEvent
    from ocop.certificates.models import Certificate
    from ocop.geo.models import AdminUnit
    from ocop.imports import actions
    from ocop.imports.models import ImportJob, ImportStatus
    from ocop.registry.models import Producer, Product
    from ocop.registry.validators import tax_code_check_digit

    province = AdminUnit.objects.get(map="current", level="province", name="Bắc Ninh")
    officer = User.objects.create_user(username="bench", password="bench-pass-2026!", role=Role.PROVINCE)
    officer.province = province
    officer.save()

    current = list(AdminUnit.objects.filter(map="current", level="commune", province=province))
    legacy = list(
        AdminUnit.objects.filter(map="legacy", level="commune", successor_province=province).select_related(
            "parent", "province"
        )
    )
    rng = random.Random(2026)

    def tax(n: int) -> str:
        while True:
            body = f"{230_000_000 + n * 7:09d}"
            digit = tax_code_check_digit(body)
            if digit is not None:
                return body + str(digit)
            n += 1_000_000

    kinds = ["HTX", "THT", "Doanh nghiệp", "Hộ sản xuất", "Hộ kinh doanh", "Trang trại"]
    producer_rows = [["STT", "Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường", "Huyện", "Tỉnh", "Điện thoại"]]
    codes = []
    for i in range(PRODUCERS):
        code = tax(i)
        codes.append(code)
        if i % 4 == 0:
            unit = rng.choice(legacy)
            place = [unit.name, unit.parent.name, unit.province.name]
        else:
            unit = rng.choice(current)
            place = [unit.name, "", "Bắc Ninh"]
        producer_rows.append([i + 1, f"{kinds[i % 6]} số {i + 1}", kinds[i % 6], code, *place, f"09{i:08d}"])

    product_rows = [
        ["STT", "Mã số thuế", "Tên sản phẩm", "Bộ sản phẩm", "Hạng sao", "Điểm", "Số quyết định", "Ngày cấp"]
    ]
    base = dt.date(2019, 9, 1)
    for i in range(PRODUCTS):
        star = (3, 3, 3, 4, 4, 5)[i % 6]
        issued = base + dt.timedelta(days=(i * 37) % 2200)
        product_rows.append(
            [
                i + 1,
                codes[i % PRODUCERS],
                f"Sản phẩm {i + 1}",
                1 + i % 26,
                f"{star} sao",
                round(50 + 10 * (star - 3) + (i % 97) / 10, 2),
                f"{100 + i}/QĐ-UBND",
                issued,
            ]
        )

    def xlsx(rows):  # type: ignore[no-untyped-def]
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def run(name: str, kind: str, rows: list[list[object]]) -> ImportJob:
        content = xlsx(rows)
        n = len(rows) - 1
        print(f"\n{name}: {n} rows, {len(content) / 1024:.0f} kB .xlsx", flush=True)
        job, _ = timed(
            "upload check (sniff, zip, count)",
            lambda: actions.create_job(
                user=officer, upload=SimpleUploadedFile(f"{name}.xlsx", content), kind=kind, province=province
            ),
            n,
        )
        actions.save_mapping(job, job.mapping)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
        job, _ = timed("dry run (validate, write nothing)", lambda: actions.run_check(job.pk), n)
        assert job.status == ImportStatus.PREVIEW, job.errors[:5]
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
        job, seconds = timed("import (one transaction, audited)", lambda: actions.run_import(job.pk), n)
        assert job.status == ImportStatus.DONE, job.failure_reason
        print(f"{'  summary':<34} {job.summary['counts']}")
        job.bench_seconds = seconds  # type: ignore[attr-defined]
        return job

    run("producers", "producers", producer_rows)
    job = run("products", "products", product_rows)

    # The same product rows, as plain tuples, into a bare table: the floor any import sits on.
    values = [tuple(str(v) for v in row) for row in product_rows[1:]]
    bare = sqlite3.connect(TMP / "baseline.sqlite3")
    bare.execute("PRAGMA journal_mode=WAL")
    bare.execute("CREATE TABLE rows (stt, tax, name, product_set, star, score, decision, issued)")
    start = time.perf_counter()
    with bare:
        bare.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
    baseline = time.perf_counter() - start
    bare.close()
    print(f"\n{'raw sqlite3 executemany baseline':<34} {baseline:7.3f} s  {len(values) / baseline:9.0f} rows/s")
    print(f"{'import / baseline ratio':<34} {job.bench_seconds / baseline:7.0f} x")

    # Idempotence at scale: the same file again changes nothing.
    again = run("products (again)", "products", product_rows)

    # Memory of each step on its own, measured in a separate pass (tracing
    # slows Python down, so the timed passes above run without it).
    for row in product_rows[1:]:
        row[2] = f"Sản phẩm mới {row[0]}"
    fresh = actions.create_job(
        user=officer, upload=SimpleUploadedFile("fresh.xlsx", xlsx(product_rows)), kind="products", province=province
    )
    print(f"\nmemory, {PRODUCTS} new products (tracemalloc peak of each step):")
    for label, status, step in (
        ("dry run", ImportStatus.VALIDATING, actions.run_check),
        ("import", ImportStatus.IMPORTING, actions.run_import),
    ):
        ImportJob.objects.filter(pk=fresh.pk).update(status=status)
        tracemalloc.start()
        result = step(fresh.pk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{'  ' + label:<34} {peak / 1_048_576:7.1f} MB  ({result.get_status_display()})")
    print(
        f"\nrecords: {Producer.objects.count()} producers, {Product.objects.count()} products, "
        f"{Certificate.objects.count()} certificates, {AuditEvent.objects.count()} audit events; "
        f"re-run created {again.summary['counts']['products']['create']} products"
    )
    print(f"peak RSS of the whole run: {peak_mb():.0f} MB")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
