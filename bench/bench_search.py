"""Benchmark of the product search over 100,000 generated products, on SQLite and on PostgreSQL.

Each database gets the same generated catalogue (fixed seed): about 25,000
producers spread over the present-day communes (a fifth registered under a
former commune), 100,000 products with Vietnamese names ("Mật ong hoa nhãn
hữu cơ Lục Ngạn"), producers ("HTX Nông sản sạch Tân Cương", "Hộ kinh doanh
Nguyễn Thị Hạnh") and descriptions of a few sentences. Rows are written with
bulk_create, then indexed with `ocop.search.reindex()` (timed).

Most products get an OCOP certificate (3 to 5 stars, issued over the last
four years: some expired, a few revoked, some renewed), as the catalogue
shows only certified products.

Twenty queries (accented, unaccented, upper case, prefix, typo, multi-word,
producer, place, description words, a miss) each run the way GET
/api/v1/products?q= runs them (the endpoint's own functions, without HTTP
and JSON): `filters.filter_and_order(public_products(), {"q": q})`, best
match first, the first page of 20 and the count, read by
ocop.catalogue.querysets.counted_page, the page's products loaded with what
the API shows of them. Baselines in the same run, on the same data:
- index: the bare index with the same words already resolved, first 20 rows
  + count, with no join, filter, rank or order (SQLite: the FTS5 MATCH;
  PostgreSQL: `search_words(document) @@ tsquery` on the GIN word index, every
  word in the tsquery, a one- or two-letter last prefix included, which the
  search itself checks with strpos instead);
- ranked: the same index, its best 20 rows by its own relevance function
  + count, as a search written by hand in SQL would rank (SQLite: FTS5's
  `ORDER BY rank`, BM25; PostgreSQL: `ts_rank` of the same words, whose
  tsvector is computed for each match);
- sql: the very statements the search produced (freshness check, page, count,
  the page's products), run through the DB-API connection: what the layer
  itself costs (vocabulary look-up, building the queryset, model instances);
- PostgreSQL only, trigram: the trigram-indexed `LIKE '% word %'` the search
  used before the word index (the benchmark creates that index for it), same
  shape as index (for comparison).
Then the catalogue without a search, as GET /api/v1/products runs it: every
public product (highest rating first), 4-star products, by name.
Prints p50 / p95 per query and the ratios; asserts nothing about time. Each
database is generated, indexed and queried in its own process. The run time
follows the machine's load: on a shared two-core machine it took about 3
minutes for both databases at load 2, and about 20 minutes per database at
load 8, most of it migrating, generating and indexing.

    .venv/bin/python bench/bench_search.py                # both databases
    .venv/bin/python bench/bench_search.py --vendor sqlite
    BENCH_SEARCH_PRODUCTS=20000 .venv/bin/python bench/bench_search.py   # quicker

PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names
the server; the benchmark creates and drops its own database `bench_search`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from throwaway import Timings, cleanup, setup

PRODUCTS = int(os.environ.get("BENCH_SEARCH_PRODUCTS", "100000"))
PRODUCERS = max(10, PRODUCTS // 4)
RUNS = int(os.environ.get("BENCH_SEARCH_RUNS", "20"))
PG_DATABASE = "bench_search"
TARGET_P95_MS = 30.0
TARGET_RATIO = 2.0

# The catalogue without a search: every public product, highest rating first (the home page), and narrowed.
LISTS: list[tuple[str, dict[str, Any]]] = [
    ("every public product", {}),
    ("4 stars", {"star": 4}),
    ("by name", {"sort": "name"}),
]

QUERIES: list[tuple[str, str]] = [
    ("accented", "vải thiều"),
    ("unaccented", "vai thieu"),
    ("upper case, place", "VẢI THIỀU LỤC NGẠN"),
    ("unaccented, place", "vai thieu luc ngan"),
    ("i/y spelling", "mi chu"),
    ("two words", "mat ong"),
    ("three words", "mật ong hoa nhãn"),
    ("product + province", "che thai nguyen"),
    ("product + qualifier", "ca phe nguyen chat"),
    ("prefix", "vai thi"),
    ("prefix, short", "nuoc m"),
    ("prefix, one letter", "banh c"),
    ("typo (letter doubled)", "vai thieuu"),
    ("typo (swapped)", "mat ogn"),
    ("typo, two words", "nuoc mamm phu quoc"),
    ("producer", "hop tac xa nong san"),
    ("producer person", "nguyen thi hanh"),
    ("description words", "chung nhan chi dan dia ly"),
    ("long multi-word", "tra hoa vang huu co tui loc dac san"),
    ("no match", "xyzzy plugh"),
]

# --- generated Vietnamese catalogue ----------------------------------------------------------------
# fmt: off
HEADS = [
    "Vải thiều", "Nhãn lồng", "Mật ong", "Mật ong hoa nhãn", "Chè", "Chè Shan tuyết", "Trà hoa vàng", "Gạo",
    "Gạo nếp cái hoa vàng", "Mỳ Chũ", "Miến dong", "Bánh đa nem", "Bánh chưng", "Bánh cốm", "Nước mắm", "Tương",
    "Rượu", "Rượu nếp", "Tinh dầu sả", "Tinh dầu quế", "Nấm hương", "Cà phê", "Hạt điều", "Hồ tiêu", "Bưởi",
    "Cam", "Na", "Măng khô", "Thịt trâu gác bếp", "Giò chả", "Chả mực", "Cá khô", "Tôm khô", "Mứt gừng",
    "Sâm", "Đông trùng hạ thảo", "Gà đồi", "Khoai lang", "Lạc", "Dầu lạc", "Mắm tôm", "Chuối sấy", "Xoài",
    "Bánh tráng", "Kẹo dừa", "Mây tre đan", "Gốm", "Lụa", "Thổ cẩm", "Nón lá", "Hương trầm", "Chổi chít",
]
QUALIFIERS = [
    "sấy khô", "sấy dẻo", "hữu cơ", "đặc sản", "truyền thống", "thượng hạng", "loại 1", "túi lọc", "nguyên chất",
    "hảo hạng", "tươi", "đóng hộp", "xuất khẩu", "gia truyền", "cổ truyền", "rừng", "đỏ", "trắng", "đen", "vàng",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Ngọc", "Thanh"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc",
    "Quý", "Sơn", "Thảo", "Thủy", "Tuấn", "Yến",
]
PRODUCER_FORMS = [
    "Hợp tác xã {head} {place}", "HTX Nông sản sạch {place}", "Công ty TNHH {person}", "Hộ kinh doanh {person}",
    "Cơ sở sản xuất {head} {person}", "Tổ hợp tác {head} {place}", "Công ty Cổ phần Nông nghiệp {place}",
]
SENTENCES = [
    "Sản phẩm được làm từ nguyên liệu trồng tại {place}.",
    "Quy trình sản xuất khép kín, đạt tiêu chuẩn {standard}.",
    "Hương vị {taste}, màu sắc {colour}, {additive}.",
    "Đóng gói {pack} tiện lợi, bảo quản {storage}.",
    "Nguyên liệu tuyển chọn từ vùng {place} với khí hậu {climate}.",
    "Được chế biến theo công thức {recipe} của {maker}.",
    "Sản phẩm đã được chứng nhận {certificate}.",
    "Phù hợp {use}.",
    "Mỗi năm {maker} cung cấp hàng chục tấn {head} cho {market}.",
    "Vùng nguyên liệu rộng hơn {area} héc-ta, canh tác theo hướng {farming}.",
    "Thu hoạch vào {season}, sơ chế trong ngày để giữ {keep}.",
    "{head} của {maker} từng đạt giải tại {fair}.",
]
WORDS = {
    "standard": ["VietGAP", "GlobalGAP", "HACCP", "ISO 22000", "hữu cơ PGS", "an toàn thực phẩm"],
    "colour": ["tự nhiên", "vàng óng", "đỏ tươi", "nâu cánh gián", "trắng ngà", "xanh mướt"],
    "additive": ["không chất bảo quản", "không phẩm màu", "không đường hóa học", "không hương liệu"],
    "storage": ["nơi khô ráo thoáng mát", "trong ngăn mát tủ lạnh", "tránh ánh nắng trực tiếp"],
    "recipe": ["gia truyền", "cổ truyền", "riêng", "của làng nghề", "được cải tiến"],
    "maker": ["người dân địa phương", "hợp tác xã", "các hộ thành viên", "đồng bào dân tộc", "làng nghề"],
    "certificate": ["an toàn thực phẩm", "truy xuất nguồn gốc", "chỉ dẫn địa lý", "nhãn hiệu tập thể", "hữu cơ"],
    "use": ["làm quà biếu dịp lễ Tết", "cho bữa cơm gia đình", "cho khách du lịch", "cho nhà hàng, khách sạn"],
    "market": ["thị trường trong nước", "các siêu thị lớn", "xuất khẩu sang Nhật Bản", "các sàn thương mại điện tử"],
    "farming": ["hữu cơ", "sinh học", "tuần hoàn", "an toàn"],
    "season": ["mùa xuân", "đầu hè", "cuối thu", "tháng Chạp", "mùa khô"],
    "keep": ["độ tươi", "hương thơm", "vị ngọt", "màu sắc"],
    "fair": ["hội chợ OCOP", "hội chợ nông sản", "triển lãm quốc tế", "tuần lễ đặc sản vùng miền"],
}
TASTES = ["thơm ngon", "ngọt thanh", "đậm đà", "chua dịu", "béo ngậy", "cay nồng"]
PACKS = ["hộp giấy", "túi zip", "chai thủy tinh", "hũ sành", "túi hút chân không"]
CLIMATES = ["mát mẻ quanh năm", "nắng gió", "ẩm", "khắc nghiệt"]
# fmt: on
# Communes that famous products come from, given more producers than a random commune.
FEATURED = ["Xã Lục Ngạn", "Phường Chũ", "Xã Tân Cương", "Đặc khu Phú Quốc", "Phường Thái Nguyên", "Xã Bảo Lâm"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def place_name(unit: Any) -> str:
    from ocop.search.products import _place

    return _place(unit.name)


def generate(rng: random.Random) -> int:
    from ocop.geo.models import AdminUnit
    from ocop.lib.text import fold
    from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductSet, ProductStatus

    current = list(AdminUnit.objects.current().communes().select_related("successor_province").order_by("pk"))
    legacy = list(AdminUnit.objects.legacy().communes().select_related("successor_province").order_by("pk")[::7])
    featured = [unit for unit in current if unit.name in FEATURED]
    sets = list(ProductSet.objects.order_by("pk"))
    kinds = [k for k, _ in ProducerKind.choices]
    producers = []
    for _ in range(PRODUCERS):
        roll = rng.random()
        if roll < 0.2:
            commune, now = rng.choice(legacy), rng.choice(current)
        else:
            commune = rng.choice(featured) if featured and roll > 0.9 else rng.choice(current)
            now = commune
        name = rng.choice(PRODUCER_FORMS).format(head=rng.choice(HEADS), place=place_name(commune), person=person(rng))
        producers.append(
            Producer(
                name=name,
                kind=rng.choice(kinds),
                commune=commune,
                current_commune=now,
                province_id=commune.successor_province_id,  # what save() sets; bulk_create does not
                folded_name=fold(name),
                status=ProducerStatus.VERIFIED,
            )
        )
    Producer.objects.bulk_create(producers, batch_size=2000)
    products = []
    for i in range(PRODUCTS):
        producer = producers[i % len(producers)]
        head = rng.choice(HEADS)
        place = place_name(producer.current_commune)
        parts = [head]
        if rng.random() < 0.6:
            parts.append(rng.choice(QUALIFIERS))
        if rng.random() < 0.4:
            parts.append(place)
        name = " ".join(parts)
        text = " ".join(
            sentence.format(
                place=place,
                head=head.lower(),
                taste=rng.choice(TASTES),
                pack=rng.choice(PACKS),
                climate=rng.choice(CLIMATES),
                area=rng.randint(5, 500),
                **{key: rng.choice(values) for key, values in WORDS.items()},
            )
            for sentence in rng.sample(SENTENCES, rng.randint(3, 6))
        )
        products.append(
            Product(
                producer=producer,
                name=name,
                product_set=rng.choice(sets),
                description=text,
                story=f"Câu chuyện sản phẩm: {person(rng)} giữ nghề {head.lower()} từ năm {rng.randint(1960, 2020)}.",
                status=ProductStatus.ACTIVE if rng.random() < 0.9 else ProductStatus.DRAFT,
                province_id=producer.province_id,
                current_commune_id=producer.current_commune_id,
                folded_name=fold(name),
            )
        )
    Product.objects.bulk_create(products, batch_size=2000)
    certify(rng, products)
    return len(products)


def certify(rng: random.Random, products: list[Any]) -> None:
    """Certificates for most products: issued over the last four years (36 months each, so the oldest have
    expired), one in ten renewed, a few revoked."""
    import datetime as dt

    from ocop.certificates.models import Certificate
    from ocop.lib import clock

    today = clock.today()
    certificates = []
    for product in products:
        if rng.random() < 0.15:
            continue
        issued = today - dt.timedelta(days=rng.randint(0, 1400))
        revoked = issued + dt.timedelta(days=rng.randint(0, (today - issued).days)) if rng.random() < 0.03 else None
        certificates.append(
            Certificate(
                product=product,
                star=rng.choice((3, 3, 4, 4, 5)),
                issued_on=issued,
                expires_on=clock.add_months(issued, 36),
                revoked_on=revoked,
                number=f"B-{product.pk}",
            )
        )
        if rng.random() < 0.1 and (today - issued).days > 30:
            renewed = issued + dt.timedelta(days=rng.randint(1, (today - issued).days))
            certificates.append(
                Certificate(
                    product=product,
                    star=rng.choice((4, 5)),
                    issued_on=renewed,
                    expires_on=clock.add_months(renewed, 36),
                    number=f"B-{product.pk}-2",
                )
            )
    Certificate.objects.bulk_create(certificates, batch_size=2000)


# --- one database -------------------------------------------------------------------------------------
def index_runner(q: str) -> Any:
    """The bare index for `q` (words resolved as the search does): first 20 rows, then the count."""
    from django.db import connection

    from ocop.search.products import parse

    terms = parse(q)
    raw = connection.connection  # the DB-API connection under Django's wrapper
    if not terms:
        return lambda: None
    if connection.vendor == "sqlite":
        match = " AND ".join(term.fts5() for term in terms)

        def sqlite_run() -> tuple[list[Any], int]:
            rows = raw.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT 20", (match,)).fetchall()
            count = raw.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0]
            return rows, count

        return sqlite_run
    tsquery = " & ".join(term.tsquery() for term in terms)
    index_sql = "FROM search_searchentry WHERE search_words(document) @@ %s::tsquery"

    def postgres_run() -> tuple[list[Any], int]:
        with raw.cursor() as cursor:
            cursor.execute(f"SELECT product_id {index_sql} LIMIT 20", [tsquery])
            rows = cursor.fetchall()
            cursor.execute(f"SELECT count(*) {index_sql}", [tsquery])
            return rows, cursor.fetchone()[0]

    return postgres_run


def ranked_runner(q: str) -> Any:
    """The bare index ranked by its own relevance function, as a search written by hand in SQL would be: the
    best 20 rows, then the count. SQLite: FTS5's `ORDER BY rank` (BM25); PostgreSQL: `ts_rank` of the same
    words (their tsvector is computed for each match: no column stores it)."""
    from django.db import connection

    from ocop.search.products import parse

    terms = parse(q)
    raw = connection.connection
    if not terms:
        return lambda: None
    if connection.vendor == "sqlite":
        match = " AND ".join(term.fts5() for term in terms)

        def sqlite_run() -> tuple[list[Any], int]:
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20"
            rows = raw.execute(sql, (match,)).fetchall()
            count = raw.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (match,)).fetchone()[0]
            return rows, count

        return sqlite_run
    tsquery = " & ".join(term.tsquery() for term in terms)
    where = "FROM search_searchentry WHERE search_words(document) @@ %s::tsquery"

    def postgres_run() -> tuple[list[Any], int]:
        with raw.cursor() as cursor:
            order = "ts_rank(search_words(document), %s::tsquery) DESC"
            cursor.execute(f"SELECT product_id {where} ORDER BY {order} LIMIT 20", [tsquery, tsquery])
            rows = cursor.fetchall()
            cursor.execute(f"SELECT count(*) {where}", [tsquery])
            return rows, cursor.fetchone()[0]

    return postgres_run


def trigram_runner(q: str) -> Any:
    """PostgreSQL only: the trigram-indexed LIKE the search used before the word index, same shape as index."""
    from django.db import connection

    from ocop.search.products import parse

    terms = parse(q)
    raw = connection.connection
    if not terms:
        return lambda: None
    clauses, params = [], []
    for term in terms:
        needles = term.needles()
        clauses.append("(" + " OR ".join(["document LIKE %s"] * len(needles)) + ")")
        params += [f"%{needle}%" for needle in needles]
    where = " AND ".join(clauses)

    def postgres_run() -> tuple[list[Any], int]:
        with raw.cursor() as cursor:
            cursor.execute(f"SELECT product_id FROM search_searchentry WHERE {where} LIMIT 20", params)
            rows = cursor.fetchall()
            cursor.execute(f"SELECT count(*) FROM search_searchentry WHERE {where}", params)
            return rows, cursor.fetchone()[0]

    return postgres_run


def sql_runner(search: Any) -> Any:
    """The very statements `search()` runs, but the vocabulary look-up, replayed through the DB-API connection.

    They are recorded while `search()` runs once (page keys with the count,
    or then the count, and the page's rows). The difference to the search is
    the cost of the layer itself: the vocabulary look-up, compiling the
    querysets, building the model instances.
    """
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "search_searchterm" not in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        search()
    raw = connection.connection
    sqlite = connection.vendor == "sqlite"

    def run() -> list[Any]:
        out = []
        for sql, params in statements:
            if sqlite:
                out.append(raw.execute(sql.replace("%s", "?"), params).fetchall())
            else:
                with raw.cursor() as cursor:
                    cursor.execute(sql, params)
                    out.append(cursor.fetchall())
        return out

    return run


def run_one(vendor: str, out: Path) -> None:
    from django.db import connection

    from ocop.catalogue import filters
    from ocop.catalogue.api import _page
    from ocop.catalogue.querysets import counted_page, public_products
    from ocop.search import reindex

    start = time.perf_counter()
    made = generate(random.Random(2026))
    print(f"{'generate (bulk_create)':<44} {time.perf_counter() - start:8.2f} s  {made} products", flush=True)
    start = time.perf_counter()
    indexed = reindex()
    index_seconds = time.perf_counter() - start
    print(f"{'reindex() every product':<44} {index_seconds:8.2f} s  {indexed} rows", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The trigram baseline's own index (the platform reads words, and dropped it in search 0007).
            cursor.execute("CREATE INDEX bench_document_trgm ON search_searchentry USING gin (document gin_trgm_ops)")
            # What autovacuum would do shortly after a bulk load: statistics for the planner.
            cursor.execute("VACUUM ANALYZE")
    results: dict[str, Any] = {"vendor": vendor, "products": made, "reindex_s": index_seconds, "queries": []}
    for label, q in QUERIES:

        def ours(q: str = q) -> tuple[list[Any], int]:
            # What GET /api/v1/products?q= does before it writes the items (ocop.catalogue.api.product_list).
            queryset = filters.filter_and_order(public_products(), {"q": q})
            return counted_page(queryset, 0, 20, rows=_page)

        page, count = ours()
        ours_t = Timings.of(label, ours, RUNS)
        index_t = Timings.of(label, index_runner(q), RUNS)
        ranked_t = Timings.of(label, ranked_runner(q), RUNS)
        sql_t = Timings.of(label, sql_runner(ours), RUNS)
        trigram_t = Timings.of(label, trigram_runner(q), RUNS) if vendor == "postgresql" else None
        results["queries"].append(
            {
                "label": label,
                "q": q,
                "count": count,
                "first": page[0].name if page else "",
                "ours": ours_t.seconds,
                "index": index_t.seconds,
                "ranked": ranked_t.seconds,
                "sql": sql_t.seconds,
                "trigram": trigram_t.seconds if trigram_t else None,
            }
        )
        print(f"  {vendor:<10} {q:<40} {count:>6} found  p50 {ours_t.percentile(50) * 1000:7.2f} ms", flush=True)
    results["lists"] = []
    for label, data in LISTS:

        def listed(data: dict[str, Any] = data) -> tuple[list[Any], int]:
            # What GET /api/v1/products does without q (ocop.catalogue.api.product_list).
            queryset = filters.filter_and_order(public_products(), data)
            return counted_page(queryset, 0, 20, rows=_page, together=not filters.read_in_order(queryset))

        page, count = listed()
        timings = Timings.of(label, listed, RUNS)
        results["lists"].append({"label": label, "count": count, "ours": timings.seconds})
        print(f"  {vendor:<10} list: {label:<34} {count:>6} shown  p50 {timings.percentile(50) * 1000:7.2f} ms")
    out.write_text(json.dumps(results), encoding="utf-8")


def postgres_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/test"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{PG_DATABASE}"))


def postgres_admin(url: str, sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def child(vendor: str, out: Path) -> None:
    if vendor == "sqlite":
        tmp = setup("ocop-bench-search-")
        try:
            run_one(vendor, out)
        finally:
            cleanup(tmp)
        return
    url = postgres_url()
    postgres_admin(url, f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    postgres_admin(url, f"CREATE DATABASE {PG_DATABASE}")
    tmp = setup("ocop-bench-search-pg-", DATABASE_URL=url)
    try:
        run_one(vendor, out)
    finally:
        from django.db import connections

        connections.close_all()
        postgres_admin(url, f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        cleanup(tmp)


# --- the table ----------------------------------------------------------------------------------------
def percentile(seconds: list[float], p: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def report(runs: list[dict[str, Any]]) -> None:
    print(
        f"\n{runs[0]['products']} products, {RUNS} runs per query, times in ms. search = the public catalogue's"
        " search as GET /api/v1/products?q= runs it: first page of 20 + count (counted_page)."
    )
    print(
        "index = the bare index query for the same words (first 20 + count, no join, filter or order):"
        " SQLite FTS5 MATCH, PostgreSQL search_words(document) @@ tsquery."
    )
    print(
        "ranked = the same, best 20 by the index's own relevance (FTS5 rank, PostgreSQL ts_rank), as a search"
        " written by hand in SQL."
    )
    print("sql = the same statements as search, run raw (no vocabulary look-up, no ORM). x = search p50 / that p50.")
    head = f"{'query':<36} {'found':>6}"
    for run in runs:
        head += f" | {run['vendor'][:10]:<10} p50    p95  index  x ranked   x  sql    x"
    print(head)
    print("-" * len(head))
    for i, (_, q) in enumerate(QUERIES):
        line = f"{q[:36]:<36} {runs[0]['queries'][i]['count']:>6}"
        for run in runs:
            row = run["queries"][i]
            p50, p95 = percentile(row["ours"], 50), percentile(row["ours"], 95)
            i50, s50 = percentile(row["index"], 50), percentile(row["sql"], 50)
            r50 = percentile(row["ranked"], 50)
            line += f" | {p50:14.2f} {p95:6.2f} {i50:5.2f} {p50 / i50:4.0f} {r50:6.2f} {p50 / r50:3.1f}"
            line += f" {s50:5.2f} {p50 / s50:4.1f}"
        print(line)
    print()
    for run in runs:
        rows = run["queries"]
        all_ours = [s for row in rows for s in row["ours"]]
        p95s = [percentile(row["ours"], 95) for row in rows]
        within = sum(p95 <= TARGET_P95_MS for p95 in p95s)
        sql_ratio = statistics.median(percentile(r["ours"], 50) / percentile(r["sql"], 50) for r in rows)
        index_ratio = statistics.median(percentile(r["ours"], 50) / percentile(r["index"], 50) for r in rows)
        ranked_ratio = statistics.median(percentile(r["ours"], 50) / percentile(r["ranked"], 50) for r in rows)
        print(
            f"{run['vendor']:<10} all runs p50 {percentile(all_ours, 50):6.2f} ms, p95 {percentile(all_ours, 95):6.2f}"
            f" ms; {within}/{len(rows)} queries with p95 <= {TARGET_P95_MS:.0f} ms (worst {max(p95s):.1f} ms);"
            f" median ratio to raw sql {sql_ratio:.2f}x, to the bare index {index_ratio:.1f}x, to the ranked index"
            f" {ranked_ratio:.2f}x (target {TARGET_RATIO:.0f}x); reindex() {run['reindex_s']:.1f} s"
        )
        if rows[0].get("trigram"):
            trigram = ", ".join(f"{percentile(r['trigram'], 50):.1f}" for r in rows)
            print(f"{'':<10} the trigram LIKE used before the word index, bare, p50 per query: {trigram}")
    print("\nThe catalogue without a search (first page of 20 + count), p50 / p95 in ms:")
    for i, (label, _data) in enumerate(LISTS):
        line = f"  {label:<34} {runs[0]['lists'][i]['count']:>6}"
        for run in runs:
            row = run["lists"][i]
            line += f" | {run['vendor'][:10]:<10} {percentile(row['ours'], 50):7.2f} {percentile(row['ours'], 95):7.2f}"
        print(line)
    counts = {tuple(row["count"] for row in run["queries"]) for run in runs}
    print("same matches on every database:", "yes" if len(counts) == 1 else "NO")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--child-output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_output:
        child(args.vendor[0], args.child_output)
        return 0
    runs = []
    for vendor in args.vendor or ["sqlite", "postgresql"]:
        print(f"--- {vendor} ---", flush=True)
        out = Path(f"/tmp/bench-search-{os.getpid()}-{vendor}.json")
        start = time.perf_counter()
        # Each database in its own process: Django reads its settings once.
        done = subprocess.run(
            [sys.executable, __file__, "--vendor", vendor, "--child-output", str(out)], check=False, env=os.environ
        )
        if done.returncode != 0 or not out.exists():
            print(f"{vendor}: benchmark failed (exit {done.returncode})")
            return 1
        runs.append(json.loads(out.read_text(encoding="utf-8")))
        out.unlink()
        print(f"{vendor}: {time.perf_counter() - start:.1f} s", flush=True)
    report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
