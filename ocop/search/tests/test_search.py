"""Product search, run unchanged on SQLite (FTS5) and PostgreSQL (pg_trgm)."""

from __future__ import annotations

import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from ocop.geo.models import AdminUnit
from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductStatus
from ocop.search import reindex, search_products
from ocop.search.models import SearchEntry
from ocop.search.text import words

pytestmark = pytest.mark.django_db


def make(world, name: str, producer: Producer | None = None, **fields: str) -> Product:
    return Product.objects.create(
        producer=producer or world.producer_b,
        name=name,
        product_set=world.product_a.product_set,
        status=ProductStatus.ACTIVE,
        **fields,
    )


def found(q: str, queryset=None) -> list[str]:
    """Names of the matching products, best match first (ties by name, as a caller would)."""
    queryset = Product.objects.all() if queryset is None else queryset
    return [p.name for p in search_products(queryset, q).order_by("-search_rank", "name")]


@pytest.fixture
def shelf(world):
    """A few products whose names, producers, places and descriptions the tests search."""
    return {
        "lychee": make(world, "Vải thiều Lục Ngạn", world.producer_a, description="Quả to, cùi dày, ngọt đậm."),
        "noodles": make(world, "Mỳ Chũ", description="Sợi mỳ gạo Bao thai, phơi nắng tự nhiên."),
        "beans": make(world, "Đậu đỏ Đông Hưng"),
        "honey": make(
            world, "Mật ong hoa nhãn", world.producer_c, description="Ong lấy mật trong mùa vải thiều nở hoa."
        ),
        "tea": make(world, "Chè Shan tuyết", story="Cây chè cổ thụ trên núi cao."),
    }


# --- folding: accents, case, đ, NFC/NFD, spelling variants --------------------------------------------
@pytest.mark.parametrize(
    "q",
    ["vai thieu luc ngan", "Vải thiều Lục Ngạn", "VẢI THIỀU", "vải THIỀU", "VAI THIEU", "  vai   thieu  "],
)
def test_diacritics_and_case_are_ignored_both_ways(shelf, q):
    assert "Vải thiều Lục Ngạn" in found(q)[:2]  # tied with "Vải thiều A" on the shorter queries


def test_nfd_input_is_the_same_as_nfc(shelf):
    nfd = unicodedata.normalize("NFD", "Vải thiều Lục Ngạn")
    assert nfd != "Vải thiều Lục Ngạn"
    assert found(nfd) == found("Vải thiều Lục Ngạn") == ["Vải thiều Lục Ngạn", "Vải thiều A"]
    assert found(unicodedata.normalize("NFD", "MỲ CHŨ")) == ["Mỳ Chũ"]


@pytest.mark.parametrize("q", ["mi chu", "mỳ chũ", "mì chũ", "MÌ CHŨ", "my chu"])
def test_mi_and_my_are_one_word(shelf, q):
    assert found(q) == ["Mỳ Chũ"]


@pytest.mark.parametrize("q", ["dau do", "đậu đỏ", "ĐẬU ĐỎ", "Dau Do Dong Hung"])
def test_d_with_stroke_folds_to_d(shelf, q):
    assert found(q) == ["Đậu đỏ Đông Hưng"]


@pytest.mark.django_db(databases=[])
def test_the_fast_fold_is_the_projects_fold():
    import random

    from ocop.lib.text import fold
    from ocop.search.text import fold_fast

    samples = ["Mỳ Chũ", unicodedata.normalize("NFD", "ĐẬU đỏ Lục Ngạn"), "Ǆ ß ﬁ 𝐀 🍒 蜂蜜 Å", "a\u0301\u0345 x\u0000y"]
    rng = random.Random(5)
    alphabet = [chr(code) for code in range(0x20, 0x3100)] + ["𝐀", "🍒", "\u0301"]
    samples += ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(500)]
    for text in samples:
        assert fold_fast(text) == fold(text), repr(text)


def test_folding_keeps_distinct_rhymes_apart():
    # Only a final y after consonants is the i/y spelling variant: "tay" (hand) is not "tai" (ear).
    assert words("Mỳ kỹ thuật Quý Tây Thuỷ") == ["mi", "ki", "thuat", "qui", "tay", "thuy"]


# --- what is searched: name, producer, places present-day and former, description ----------------------
def test_producer_name_and_places_are_searched(world, shelf):
    assert "Vải thiều Lục Ngạn" in found("persona a")
    assert "Vải thiều A" in found("htx persona a")
    # Xã Lục Ngạn is a present-day commune of Bắc Ninh.
    assert set(found("luc ngan")) >= {"Vải thiều A", "Vải thiều Lục Ngạn"}
    assert found("cam ha noi") == ["Cam C"]
    assert "Mật ong hoa nhãn" in found("hoan kiem")


def test_former_units_are_searched(world):
    bien_son = AdminUnit.objects.get(map="legacy", level="commune", name="Xã Biên Sơn", parent__name="Huyện Lục Ngạn")
    old = Producer.objects.create(name="HTX Núi Tạ", kind=ProducerKind.COOPERATIVE, commune=bien_son)
    make(world, "Miến dong", old)
    # Its commune, district and province as registered, before 1 July 2025.
    assert found("mien bien son") == ["Miến dong"]
    assert found("mien dong bac giang") == ["Miến dong"]
    assert found("mien huyen luc ngan") == []  # "huyện" is the kind of unit, not a word of its name
    assert found("mien luc ngan") == ["Miến dong"]
    # And the present-day province that took it over.
    assert found("mien bac ninh") == ["Miến dong"]


def test_description_and_story_are_searched(shelf):
    assert found("cui day") == ["Vải thiều Lục Ngạn"]
    assert found("co thu") == ["Chè Shan tuyết"]


def test_every_word_must_be_found(shelf):
    assert found("vai thieu ha noi") == ["Mật ong hoa nhãn"]  # lychee in its description, Hà Nội its place
    assert found("vai thieu bien") == []


# --- prefixes and typos --------------------------------------------------------------------------------
@pytest.mark.parametrize("q", ["vai thi", "vải thiề", "vai thieu luc ng", "VAI TH"])
def test_the_last_word_matches_as_a_prefix(shelf, q):
    assert "Vải thiều Lục Ngạn" in found(q)[:2]


def test_only_the_last_word_is_a_prefix(shelf):
    assert found("va thieu") == []
    assert "Đậu đỏ Đông Hưng" in found("dong h")


@pytest.mark.parametrize("q", ["vai thieuu", "vai thiue", "vaii thieu", "vai thieu luc ngna", "vai thiêuu luc ngạn"])
def test_one_typo_per_word_is_tolerated(shelf, q):
    assert "Vải thiều Lục Ngạn" in found(q)[:2]


def test_a_typo_is_only_guessed_for_words_the_index_does_not_know(shelf):
    # "mat" is indexed (mật): it is not stretched to "mit" or "mot".
    assert found("mat ong") == ["Mật ong hoa nhãn"]
    # No indexed word near this one: nothing, rather than anything.
    assert found("vai xyzqwv") == []


# --- ranking -----------------------------------------------------------------------------------------
def test_name_before_producer_and_places_before_description(world, shelf):
    by_place = make(world, "Nước cốt", world.producer_a, description="Ép từ quả tươi.")  # Lục Ngạn is its place
    results = search_products(Product.objects.all(), "luc ngan")
    ranks = {p.name: p.search_rank for p in results}
    assert ranks["Vải thiều Lục Ngạn"] > ranks[by_place.name]
    assert found("vai thieu")[:2] == ["Vải thiều A", "Vải thiều Lục Ngạn"]  # name (tied) before…
    assert found("vai thieu")[-1] == "Mật ong hoa nhãn"  # …description
    make(world, "Gạo nếp", description="Hạt gạo trắng của vùng Hưng Yên.", producer=world.producer_a)
    rice_coop = Producer.objects.create(name="HTX Gạo nếp Lục Ngạn", kind="cooperative", commune=world.luc_ngan)
    make(world, "Bánh", rice_coop)
    assert found("gao nep") == ["Gạo nếp", "Bánh"]


def test_equal_matches_tie_so_the_caller_orders_them(world, shelf):
    second = make(world, "Vải thiều sấy khô", description="Vải thiều Lục Ngạn sấy, vải thiều ngon, vải thiều.")
    ranks = {p.pk: p.search_rank for p in search_products(Product.objects.all(), "vai thieu")}
    assert ranks[shelf["lychee"].pk] == ranks[second.pk] == ranks[world.product_a.pk]
    assert ranks[shelf["honey"].pk] < ranks[second.pk]


def test_search_rank_is_a_number_higher_is_better(shelf):
    result = search_products(Product.objects.all(), "vai thieu luc ngan").get(pk=shelf["lychee"].pk)
    assert isinstance(result.search_rank, int) and result.search_rank > 0


# --- the queryset contract: filters, count, slicing, no order, blank queries ------------------------------
def test_combines_with_filters_before_and_after(world, shelf):
    bac_ninh = Product.objects.filter(province=world.bac_ninh)
    assert "Mật ong hoa nhãn" not in found("vai thieu", bac_ninh)
    after = search_products(Product.objects.all(), "vai thieu").filter(province=world.ha_noi)
    assert [p.name for p in after] == ["Mật ong hoa nhãn"]
    annotated = search_products(Product.objects.annotate(star=F("pk")), "vai thieu")
    assert annotated.order_by("-search_rank", "-star").count() == 3


def test_count_and_slices_paginate(world, shelf):
    for i in range(25):
        make(world, f"Vải thiều hộp {i:02d}")
    results = search_products(Product.objects.all(), "vai thieu").order_by("-search_rank", "name")
    assert results.count() == 28
    first, second = list(results[:20]), list(results[20:40])
    assert len(first) == 20 and len(second) == 8
    assert not {p.pk for p in first} & {p.pk for p in second}
    assert search_products(Product.objects.all(), "vai thieu").query.order_by == ()


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_a_blank_query_returns_the_queryset_unchanged(world, shelf, q):
    queryset = Product.objects.filter(province=world.bac_ninh)
    results = search_products(queryset, q)
    assert sorted(p.pk for p in results) == sorted(p.pk for p in queryset)
    assert {p.search_rank for p in results} == {0}


HOSTILE = [
    '"',
    "'",
    'vai" OR 1=1 --',
    "vải' ; DROP TABLE registry_product; --",
    "AND OR NEAR",
    "vai AND thieu",
    "NEAR(vai thieu, 2)",
    "vai*",
    "* vai",
    "^vai",
    "document: vai",
    "{name}: vai",
    "vai + thieu",
    "- vai",
    '( ) : * " ^ + -',
    "vai\x00thieu",
    "\x00",
    "%",
    "_",
    "%vai%",
    "\\",
    "vai " * 500,
    "a" * 5000,
    "ă" * 3000,
    "vải" + "\u0301" * 100,
    "🍒 vải 🍒",
    "蜂蜜",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_raises(shelf, q):
    results = search_products(Product.objects.all(), q).order_by("-search_rank")
    assert results.count() == len(list(results[:50]))


def test_fts5_syntax_is_read_as_words(shelf):
    assert found("vai AND thieu") == []  # "and" is a word no product has
    assert found("vai* thieu*") == found("vai thieu")
    assert found('"vai thieu"') == found("vai thieu")
    assert found("vai\x00thieu") == found("vai thieu")


# --- cost ------------------------------------------------------------------------------------------------
def test_the_number_of_queries_of_a_search_is_pinned(world, shelf, django_assert_num_queries):
    base = Product.objects.filter(status=ProductStatus.ACTIVE)
    # One vocabulary look-up, then the page and the count.
    with django_assert_num_queries(3):
        results = search_products(base, "vai thieu luc ngan").order_by("-search_rank", "name")
        list(results[:20])
        results.count()
    # A typo costs one more look-up (its neighbours in the vocabulary).
    with django_assert_num_queries(4):
        results = search_products(base, "vai thieuu")
        list(results[:20])
        results.count()
    with django_assert_num_queries(1):
        list(search_products(base, "")[:20])
    with django_assert_num_queries(0):
        list(search_products(base, "((**))"))


# --- keeping the index current ---------------------------------------------------------------------------
def test_saving_a_product_reindexes_it(world, shelf):
    lychee = shelf["lychee"]
    lychee.name = "Nhãn lồng Hưng Yên"
    lychee.save()
    assert found("nhan long") == ["Nhãn lồng Hưng Yên"]
    assert "Nhãn lồng Hưng Yên" not in found("vai thieu")


def test_renaming_a_producer_reindexes_its_products(world, shelf):
    world.producer_a.name = "HTX Quả Ngọt"
    world.producer_a.save()
    assert set(found("qua ngot")) == {"Vải thiều A", "Vải thiều Lục Ngạn"}
    assert found("persona a") == []


def test_deleted_products_leave_the_index(world, shelf):
    shelf["tea"].delete()
    assert found("che shan") == []
    assert not SearchEntry.objects.filter(product_id=shelf["tea"].pk).exists()


def test_a_product_not_yet_indexed_is_not_found_and_breaks_nothing(world, shelf):
    Product.objects.bulk_create(
        [
            Product(
                producer=world.producer_b,
                name="Vải thiều chưa lập chỉ mục",
                product_set=world.product_a.product_set,
                province=world.bac_ninh,
                current_commune=world.other_commune,
                folded_name="vai thieu chua lap chi muc",
            )
        ]
    )
    assert "Vải thiều chưa lập chỉ mục" not in found("vai thieu")
    SearchEntry.objects.filter(product=shelf["lychee"]).delete()
    assert found("vai thieu luc ngan") == ["Vải thiều A"]
    assert reindex() == Product.objects.count()
    assert "Vải thiều chưa lập chỉ mục" in found("vai thieu")
    assert found("vai thieu luc ngan") == ["Vải thiều Lục Ngạn", "Vải thiều A"]


def test_reindex_some_products_returns_the_rows_written(world, shelf):
    assert reindex([shelf["lychee"].pk, shelf["tea"].pk, 10**9]) == 2
    assert reindex([]) == 0


def test_the_demo_part_indexes_what_bulk_writes_left_out(world, shelf):
    from ocop.search import demo

    SearchEntry.objects.all().delete()
    created: dict[str, int] = {}
    demo.load(created=created, today=None)  # type: ignore[arg-type]
    assert created == {"search entries": Product.objects.count()}
    assert found("mi chu") == ["Mỳ Chũ"]
    again: dict[str, int] = {}
    demo.load(created=again, today=None)  # type: ignore[arg-type]
    assert again == {}


def test_rebuild_command(world, shelf):
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().startswith(f"{Product.objects.count()} products indexed")
    assert found("dau do") == ["Đậu đỏ Đông Hưng"]


def test_the_vendor_structures_exist():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_fts_%'")
            assert len(cursor.fetchall()) == 3
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchentry' ORDER BY 1")
            indexes = {name for (name,) in cursor.fetchall()}
            assert {"search_entry_words", "search_entry_listed_words"} <= indexes
            assert "search_entry_document_trgm" not in indexes  # unread since the word index: dropped (0007)


def test_a_row_holds_each_word_of_the_document_once(world, shelf):
    # "Mật ong" in the name, "mật ong" and "hoa" again in the description: the document holds each word once,
    # the name's first; the name and context columns, which the rank reads, are left as they are.
    entry = SearchEntry.objects.get(product=shelf["honey"])
    assert entry.name == " mat ong hoa nhan "
    assert entry.document.split()[:4] == ["mat", "ong", "hoa", "nhan"]
    assert len(entry.document.split()) == len(set(entry.document.split()))
    assert {"lay", "trong", "mua", "vai", "thieu", "no"} <= set(entry.document.split())
    assert found("mat ong vai thieu") == ["Mật ong hoa nhãn"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_starts_no_parallel_workers():
    # Settings: a search narrowed to a province was read through a parallel nested loop (34 ms instead of 9).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_only_verified_is_not_this_apps_business(world, shelf):
    # Scope is the caller's: a pending producer's product is found if the queryset holds it.
    pending = make(world, "Vải thiều chờ duyệt", world.producer_pending)
    assert pending.producer.status == ProducerStatus.PENDING
    assert "Vải thiều chờ duyệt" in found("vai thieu")
    assert "Vải thiều chờ duyệt" not in found("vai thieu", Product.objects.exclude(pk=pending.pk))


def test_imported_products_are_found(world, client_for):
    # The import writes products with bulk_create (no signals) and indexes them itself.
    from ocop.imports.tests.test_import_flow import producer_rows, product_rows
    from ocop.imports.tests.util import confirm, tax_code, upload_and_check, xlsx_bytes

    officer = client_for("province")
    confirm(officer, upload_and_check(officer, xlsx_bytes(producer_rows()), "chu-the.xlsx"))
    rows = product_rows([tax_code(10), tax_code(11)])
    job = upload_and_check(officer, xlsx_bytes(rows), "san-pham.xlsx", kind="products")
    confirm(officer, job)
    assert job.status == "done", job.failure_reason
    assert found("vai thieu say") == ["Vải thiều sấy"]
    assert "Vải thiều sấy" in found("chu the so 1")


def test_the_word_index_is_used_by_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's word index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'search_entry_words'")
        assert cursor.fetchone() is not None
    sql = str(search_products(Product.objects.all(), "banh c").query)
    assert "search_words(" in sql and "@@" in sql
    with connection.cursor() as cursor:
        # Parallel workers cost a search more than they save (migration 0006).
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_searchentry'")
        assert cursor.fetchone()[0] == ["parallel_workers=0"]


def test_a_word_too_long_for_an_index_breaks_neither_the_save_nor_the_search(world, shelf):
    # A tsvector lexeme holds less than 2 KB: such a word is left out of PostgreSQL's word index.
    make(world, "Bánh cốm", description="Mã " + "x" * 3000 + " cốm dẻo.")
    assert found("banh com deo") == ["Bánh cốm"]
    assert found("banh c")[:1] == ["Bánh cốm"]


def test_a_counted_page_of_results_is_the_slice_and_the_count(world, shelf):
    from ocop.catalogue.querysets import counted_page

    for i in range(25):
        make(world, f"Vải thiều hộp {i:02d}")
    results = search_products(Product.objects.all(), "vai thieu").order_by("-search_rank", "name", "pk")
    for start in (0, 20, 40):
        rows, count = counted_page(results, start, 20)
        assert [p.pk for p in rows] == [p.pk for p in results[start : start + 20]]
        assert count == results.count() == 28
    rows, count = counted_page(results, 20, 20, rows=Product.objects.filter(name__startswith="Vải"))
    assert [p.pk for p in rows] == [p.pk for p in results[20:40] if p.name.startswith("Vải")] and count == 28
    assert counted_page(search_products(Product.objects.all(), "xyzzy"), 0, 20) == ([], 0)
