"""Benchmark of a province's yearly statistics: 400 products with their certificates since 2019.

In a throw-away SQLite database: 400 products of 160 producers in Bắc Ninh
(and 200 products of another province, which the provincial officer must not
count), each first recognised between 2019 and 2023 and, for about two
thirds, re-evaluated every 36 months since, some upgraded, a few revoked or
extended under the transition rule.

"Yearly statistics" are, for each year-end from 2019 to 2026 (8 days), the
counts the provincial office reports, read through the provincial officer's
scope (`Certificate.objects.for_user`) as the dashboards do:

- products by star (a product counted once, at its highest star in force:
  `front.dashboards._stars`),
- products in force by product set (bộ sản phẩm),
- certificates by status on that day (`CertificateQuerySet.with_status`);

plus the whole provincial dashboard (`front.dashboards.province_dashboard`)
on each of those days. The baseline computes the same three statistics with
hand-written SQL through the sqlite3 module. Prints times and query counts;
asserts nothing about time (the counts of both ways must agree).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import sys
import time
from decimal import Decimal

from throwaway import Timings, cleanup, setup

PRODUCTS = 400
OTHER_PROVINCE_PRODUCTS = 200
PRODUCERS = 160
RUNS = 20
STATUSES = ("valid", "expiring", "extended", "expired", "revoked", "not_yet_valid")
YEAR_ENDS = [dt.date(year, 12, 31) for year in range(2019, 2027)]


def _generate(rng: random.Random, province, other, officer):  # type: ignore[no-untyped-def]
    from ocop.certificates.models import Certificate, CertificateSource
    from ocop.geo.models import AdminUnit
    from ocop.lib.clock import add_months
    from ocop.lib.text import fold
    from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductSet, ProductStatus
    from ocop.rules.rulebooks import rulebook_for

    sets = list(ProductSet.objects.filter(group__category__rulebook="qd-26-2026").order_by("number"))
    producers = []
    for unit, count in ((province, PRODUCERS), (other, PRODUCERS // 2)):
        communes = list(AdminUnit.objects.current().communes().filter(province=unit))
        for i in range(count):
            name = f"HTX {unit.name} số {i + 1}"
            commune = rng.choice(communes)
            producers.append(
                Producer(
                    name=name,
                    kind=ProducerKind.COOPERATIVE,
                    commune=commune,
                    current_commune=commune,
                    province=unit,  # what Producer.save() sets; bulk_create does not call it
                    folded_name=fold(name),
                    status=ProducerStatus.VERIFIED,
                )
            )
    Producer.objects.bulk_create(producers)
    ours = list(Producer.objects.filter(province=province))
    theirs = list(Producer.objects.filter(province=other))
    products = []
    for pool, count in ((ours, PRODUCTS), (theirs, OTHER_PROVINCE_PRODUCTS)):
        for i in range(count):
            producer = pool[i % len(pool)]
            name = f"Sản phẩm {producer.province_id}-{i + 1}"
            products.append(
                Product(
                    producer=producer,
                    name=name,
                    product_set=rng.choice(sets),
                    status=ProductStatus.ACTIVE,
                    province_id=producer.province_id,
                    current_commune_id=producer.current_commune_id,
                    folded_name=fold(name),
                )
            )
    Product.objects.bulk_create(products)

    certificates = []
    last_day = dt.date(2026, 12, 31)
    for product in Product.objects.all():
        day = dt.date(2019, 9, 1) + dt.timedelta(days=rng.randint(0, 4 * 365))
        star = rng.choices((3, 4, 5), weights=(70, 27, 3))[0]
        while day <= last_day:
            low = {3: 50, 4: 70, 5: 90}[star]
            expires = add_months(day, 36)
            cert = Certificate(
                product=product,
                star=star,
                score=Decimal(rng.randint(low * 10, (low + 19) * 10 if star < 5 else 990)) / 10,
                number=f"BENCH-{product.pk}-{day.isoformat()}",
                decision_number=f"{rng.randint(100, 3000)}/QĐ-UBND",
                decision_date=day,
                issued_on=day,
                expires_on=expires,
                rulebook=rulebook_for(day).code,
                source=CertificateSource.IMPORT,
            )
            fate = rng.random()
            if fate < 0.03:
                cert.revoked_on = day + dt.timedelta(days=rng.randint(90, 900))
                cert.revocation_reason = "Sử dụng nhãn hiệu OCOP không đúng quy định"
            elif fate < 0.06:
                cert.extended_until = expires + dt.timedelta(days=rng.randint(30, 180))
            certificates.append(cert)
            if cert.revoked_on or rng.random() > 0.66:
                break  # not re-evaluated: the certificate lapses (or was revoked)
            day = expires + dt.timedelta(days=rng.randint(5, 75))
            if star < 5 and rng.random() < 0.15:
                star += 1
    Certificate.objects.bulk_create(certificates, batch_size=500)
    return len(certificates)


def orm_statistics(user, day: dt.date) -> dict[str, dict[object, int]]:  # type: ignore[no-untyped-def]
    from django.db.models import Count

    from ocop.certificates.models import Certificate
    from ocop.front.dashboards import _stars

    scoped = Certificate.objects.for_user(user)
    in_force = scoped.valid_on(day)
    by_set = dict(
        in_force.values("product__product_set__number")
        .annotate(n=Count("product", distinct=True))
        .values_list("product__product_set__number", "n")
    )
    by_status = {status: scoped.with_status(status, day).count() for status in STATUSES}
    return {"stars": _stars(in_force), "sets": by_set, "status": by_status}


SQL_IN_FORCE = """
    FROM certificates_certificate c JOIN registry_product p ON p.id = c.product_id
    WHERE p.province_id = :province AND c.issued_on <= :day
      AND (c.expires_on >= :day OR c.extended_until >= :day)
      AND (c.revoked_on IS NULL OR c.revoked_on > :day)
"""
SQL_STARS = (
    f"SELECT best, COUNT(*) FROM (SELECT c.product_id, MAX(c.star) AS best {SQL_IN_FORCE} GROUP BY c.product_id) "
    "GROUP BY best"
)
SQL_SETS = (
    "SELECT s.number, COUNT(DISTINCT c.product_id) "
    + SQL_IN_FORCE.replace("WHERE", "JOIN registry_productset s ON s.id = p.product_set_id WHERE")
    + " GROUP BY s.number"
)
SQL_STATUS = """
    SELECT
      SUM(live AND issued_on <= :day AND expires_on > :window),
      SUM(live AND issued_on <= :day AND expires_on >= :day AND expires_on <= :window),
      SUM(live AND issued_on <= :day AND expires_on < :day AND extended_until >= :day),
      SUM(live AND issued_on <= :day AND expires_on < :day AND (extended_until IS NULL OR extended_until < :day)),
      SUM(revoked_on IS NOT NULL AND revoked_on <= :day),
      SUM(live AND issued_on > :day)
    FROM (SELECT c.*, (c.revoked_on IS NULL OR c.revoked_on > :day) AS live
          FROM certificates_certificate c JOIN registry_product p ON p.id = c.product_id
          WHERE p.province_id = :province)
"""


def sql_statistics(db: sqlite3.Connection, province_id: int, day: dt.date) -> dict[str, dict[object, int]]:
    params = {"province": province_id, "day": day.isoformat(), "window": (day + dt.timedelta(days=180)).isoformat()}
    stars = dict(db.execute(SQL_STARS, params).fetchall())
    sets = dict(db.execute(SQL_SETS, params).fetchall())
    counts = db.execute(SQL_STATUS, params).fetchone()
    return {"stars": stars, "sets": sets, "status": {s: n or 0 for s, n in zip(STATUSES, counts, strict=True)}}


def main(tmp) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocop.accounts.models import Role, User
    from ocop.certificates.models import Certificate
    from ocop.front.dashboards import province_dashboard
    from ocop.geo.models import AdminUnit

    province = AdminUnit.objects.current().provinces().get(name="Bắc Ninh")
    other = AdminUnit.objects.current().provinces().get(name="Thành phố Hà Nội")
    officer = User.objects.create(username="bench_office", role=Role.PROVINCE, province=province)
    start = time.perf_counter()
    made = _generate(random.Random(2026), province, other, officer)
    ours = Certificate.objects.for_user(officer).count()
    print(
        f"{'generate (bulk)':<44} {time.perf_counter() - start:8.2f} s  {PRODUCTS} + {OTHER_PROVINCE_PRODUCTS} "
        f"products, {made} certificates ({ours} in Bắc Ninh)",
        flush=True,
    )

    def yearly_orm():  # type: ignore[no-untyped-def]
        return [orm_statistics(officer, day) for day in YEAR_ENDS]

    def dashboards():  # type: ignore[no-untyped-def]
        return [province_dashboard(officer, day) for day in YEAR_ENDS]

    db = sqlite3.connect(tmp / "bench.sqlite3")

    def yearly_sql():  # type: ignore[no-untyped-def]
        return [sql_statistics(db, province.pk, day) for day in YEAR_ENDS]

    orm, raw = yearly_orm(), yearly_sql()
    if orm != raw:
        sys.exit(f"ORM and SQL statistics differ:\n{orm}\n{raw}")
    print(f"\n{'year-end':<12} {'in force':>8}  by star (3/4/5)   valid expiring extended expired revoked")
    for day, stats in zip(YEAR_ENDS, orm, strict=True):
        stars, status = stats["stars"], stats["status"]
        print(
            f"{day.isoformat():<12} {sum(stars.values()):>8}  "
            f"{stars.get(3, 0):>4}/{stars.get(4, 0):>3}/{stars.get(5, 0):>3}"
            f"      {status['valid']:>5} {status['expiring']:>8} {status['extended']:>8} {status['expired']:>7} "
            f"{status['revoked']:>7}   ({len(stats['sets'])} product sets)"
        )
    with CaptureQueriesContext(connection) as orm_queries:
        yearly_orm()
    with CaptureQueriesContext(connection) as dashboard_queries:
        dashboards()
    print(f"\n{len(YEAR_ENDS)} year-ends per run (one 'yearly statistics' = all {len(YEAR_ENDS)} days):")
    orm_t = Timings.of("statistics through the scoped querysets", yearly_orm, RUNS)
    print(orm_t.line(f"  {len(orm_queries)} queries"), flush=True)
    dash_t = Timings.of("province_dashboard() on each year-end", dashboards, RUNS)
    print(dash_t.line(f"  {len(dashboard_queries)} queries"), flush=True)
    sql_t = Timings.of("baseline: hand-written SQL (sqlite3)", yearly_sql, RUNS)
    print(sql_t.line(f"  {3 * len(YEAR_ENDS)} queries"), flush=True)
    print(f"\n{'scoped querysets / raw SQL':<44} {orm_t.mean / sql_t.mean:8.1f} x")
    print(f"{'one year-end through the querysets':<44} {orm_t.mean / len(YEAR_ENDS) * 1000:8.2f} ms")
    db.close()


if __name__ == "__main__":
    tmp = setup("ocop-bench-stats-")
    try:
        main(tmp)
    finally:
        cleanup(tmp)
