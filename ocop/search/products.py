"""Product search: the one interface the catalogue and the API call, over two database backends.

A query is read into terms (ocop.search.text.words): every word must be found
(AND), the last one also as the start of a longer word (typing "vai thi" finds
"vải thiều"). A word the index has never seen is taken for a typo and replaced
by the indexed words one edit away from it ("thieuu", "thiue" → "thieu"); one
look-up in the index's vocabulary decides that for every word at once.

Matching is the vendor's part (SQLite: an FTS5 MATCH; PostgreSQL: `@@` on a
GIN index of the document's words, see WordsMatch). Ranking is the same
expression on both: for each term, 3 if it is in the product's name, 2 if in
the producer's name or the places, 1 otherwise (the description), summed. It
is a small integer on purpose: products that match the same way tie, and
callers break ties with their own keys (the star first).

Two ways in. search_products() narrows any queryset of products: the caller's
filters and order are read from the products. search_listed() is the public
catalogue's: it reads only the search rows, which also hold what the catalogue
filters and orders by (public or not, the star in force, the sort name: see
ocop/search/models.py for how they are kept exact), and returns None when the
rows do not know the day asked about, for the caller to take the first way.

Cost: the rank and the caller's order need every match (and the count all of
them), so a search grows with the number of matches, not with the size of the
catalogue. Measured with bench/bench_search.py over 100,000 products, as the
public catalogue runs a search (GET /api/v1/products?q=): through
search_products() on public_products() each match cost about 10 µs on SQLite
and 16 µs on PostgreSQL (the product's row and the subqueries on its
certificates that decide whether it is public: 67 and 107 ms for "mat ong",
5,364 matches); through search_listed() about 2 µs on either (12 and 14 ms),
of which the index itself is a small part. SQLite reads a match's keys from
the covering indexes of migration 0005, PostgreSQL from the row its word index
found. The broadest query of the benchmark, "hop tac xa nong san" (8,099
matches), spends about a third of its statement on the rank (two substring
tests per word on the name and context of every match), a third on reading the
matches' rows and the rest on the index and the count. What stays is fixed:
loading the 20 products shown with their certificates' fields
(catalogue.querysets.public_page: about 3 ms on SQLite and 5 ms on
PostgreSQL, most of it the join of the producer, places and taxonomy an item
shows). On PostgreSQL the search rows are never scanned in parallel (migration
0006, and no query starts parallel workers: settings).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import BooleanField, Expression, F, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from ocop.lib import clock
from ocop.registry.models import Product
from ocop.search.models import SearchEntry, SearchState, SearchTerm
from ocop.search.text import edits1, padded, words

# Bounds that keep hostile or pasted input cheap: longer input is cut, not refused.
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_WORD_CHARS = 40
# Typo tolerance: words shorter than this have too many neighbours to guess
# from ("ga" is one edit from "gao", "gai", "da"…); longer ones make big
# candidate sets for no gain.
TYPO_MIN_CHARS = 3
TYPO_MAX_CHARS = 20
# At most this many replacement words per typo, the likeliest edits first.
TYPO_MAX_CANDIDATES = 12

NAME_WEIGHT = 3
CONTEXT_WEIGHT = 2
DOCUMENT_WEIGHT = 1

REINDEX_BATCH = 1000
ENTRY_FIELDS = ["name", "context", "document", "listed", "star", "shown_star", "sort_name", "fresh_from", "fresh_until"]


@dataclass(frozen=True)
class Term:
    """One typed word: the indexed words it may stand for, and whether they match as prefixes."""

    typed: str
    alternatives: tuple[str, ...]
    prefix: bool = False

    def needles(self) -> list[str]:
        """What a padded column contains when it holds the term, one per alternative (`LIKE '%…%'`)."""
        return [f" {word}" if self.prefix else f" {word} " for word in self.alternatives]

    def fts5(self) -> str:
        quoted = [f'"{word}"*' if self.prefix else f'"{word}"' for word in self.alternatives]
        return quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")"

    def tsquery(self) -> str:
        """The term as PostgreSQL `tsquery` text: quoted lexemes, `:*` for a prefix, `|` between alternatives."""
        quoted = [_lexeme(word) + (":*" if self.prefix else "") for word in self.alternatives]
        return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"


def _lexeme(word: str) -> str:
    # Words hold letters and digits only (text.words); quoting keeps any other character literal anyway.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


# --- the vocabulary ----------------------------------------------------------------------------------
def _vocabulary(exact: list[str], prefix: str | None) -> set[str]:
    """The `exact` words the index holds, and with `prefix` one indexed word that starts with it, if any."""
    if not exact and prefix is None:
        return set()
    if connection.vendor == "sqlite":
        sql = "SELECT term FROM search_searchterm WHERE term IN (SELECT value FROM json_each(%s))"
        params: list[object] = [json.dumps(exact)]
        if prefix is not None:
            # A range on the primary key: SQLite's LIKE is case-blind and would not use it.
            sql += (
                " UNION ALL SELECT * FROM (SELECT term FROM search_searchterm WHERE term >= %s AND term < %s LIMIT 1)"
            )
            params += [prefix, _after_prefix(prefix)]
    else:
        sql = "SELECT term FROM search_searchterm WHERE term = ANY(%s)"
        params = [exact]
        if prefix is not None:
            # LIKE, served by a pattern index: a range would depend on the database's collation.
            sql += " UNION ALL (SELECT term FROM search_searchterm WHERE term LIKE %s LIMIT 1)"
            params.append(prefix + "%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {term for (term,) in cursor.fetchall()}


def _after_prefix(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix`."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


def parse(q: str) -> list[Term]:
    """The terms of a query, typos resolved against the index's vocabulary (one or two queries)."""
    typed = list(dict.fromkeys(word[:MAX_WORD_CHARS] for word in words(q[:MAX_QUERY_CHARS])))[:MAX_TERMS]
    if not typed:
        return []
    last = typed[-1]
    found = _vocabulary(typed, last)
    # Words neither indexed nor (for the last) the start of an indexed word.
    unknown = [
        word
        for word in typed
        if word not in found
        and not (word == last and any(term.startswith(word) for term in found))
        and TYPO_MIN_CHARS <= len(word) <= TYPO_MAX_CHARS
        and word.isascii()
    ]
    candidates = {word: edits1(word) for word in unknown}
    known: set[str] = set()
    if candidates:
        known = _vocabulary(sorted(set().union(*candidates.values())), None)
    terms = []
    for word in typed:
        near = sorted((w for w in candidates.get(word, ()) if w in known), key=lambda w: (candidates[word][w], w))
        if near:
            # The typed word stays an alternative: if the vocabulary missed it, it still matches.
            terms.append(Term(word, (word, *near[:TYPO_MAX_CANDIDATES]), prefix=False))
        else:
            terms.append(Term(word, (word,), prefix=word == last))
    return terms


# --- the interface ---------------------------------------------------------------------------------
def search_products(queryset: QuerySet[Product], q: str) -> QuerySet[Product]:
    """See ocop.search.search_products."""
    if not q or not q.strip():
        return queryset.annotate(search_rank=Value(0, output_field=IntegerField()))
    terms = parse(q)
    if not terms:
        # Only punctuation or symbols: nothing can match.
        return queryset.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    rank = Rank(terms, F("search_entry__name"), F("search_entry__context"))
    return _matching(queryset, terms, "search_entry__").annotate(search_rank=rank)


def _matching(queryset: QuerySet, terms: list[Term], entry: str) -> QuerySet:  # type: ignore[type-arg]
    """`queryset` (of products or of search rows, `entry` the path to the search row) narrowed to the matches."""
    if connection.vendor == "sqlite":
        match = " AND ".join(term.fts5() for term in terms)
        found = RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", (match,))
        return queryset.filter(pk__in=found)
    return queryset.filter(WordsMatch(terms, F(f"{entry}document")))


def listed_rows(day: dt.date | None = None) -> QuerySet[SearchEntry] | None:
    """See ocop.search.listed_rows."""
    if not rows_exact_on(day or clock.today()):
        return None
    return SearchEntry.objects.filter(listed=True)


def search_listed(q: str, day: dt.date | None = None) -> QuerySet[SearchEntry] | None:
    """See ocop.search.search_listed."""
    entries = listed_rows(day)
    if entries is None:
        return None
    terms = parse(q) if q and q.strip() else []
    if not terms:
        return entries.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    return _matching(entries, terms, "").annotate(search_rank=Rank(terms, F("name"), F("context")))


def rows_exact_on(day: dt.date) -> bool:
    """Whether every search row's `listed` and `star` are what public_products(day) says (one query).

    Not when a row was written for other days (a certificate came into force,
    expired or was revoked since: the daily job rewrites those rows), was never
    computed (null), or a certificate was written without rewriting its
    product's row (SearchState).
    """
    sql = (
        "SELECT EXISTS (SELECT 1 FROM search_searchentry WHERE fresh_until IS NULL)"
        " OR EXISTS (SELECT 1 FROM search_searchentry WHERE fresh_until <= %s)"
        " OR EXISTS (SELECT 1 FROM search_searchentry WHERE fresh_from > %s)"
        " OR COALESCE((SELECT MAX(id) FROM certificates_certificate), 0)"
        " > COALESCE((SELECT MAX(certificates_seen) FROM search_searchstate), 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, day])
        (stale,) = cursor.fetchone()
    return not stale


class WordsMatch(Expression):
    """PostgreSQL: the product's indexed words hold every term, through a GIN index on its words.

    The index (migration 0003) is on `search_words(document)`: the document's
    words taken as they are (array_to_tsvector: no parser, no dictionary), so a
    lexeme is exactly one word of ocop.search.text.words and `@@` means what
    the FTS5 MATCH means on SQLite. A word index reads one posting list per
    word; the trigram index used before had to re-check `LIKE` on the whole
    document of every candidate, and short words ("mat", "ong") share their
    trigrams with most of the catalogue.

    A prefix of one or two letters ("banh c") is the exception when other
    words come with it: in the index it is the union of the lists of every
    word that starts with it (most of the vocabulary for "c"), while the other
    words already narrow the rows to a few thousand, on which `strpos` over
    the padded document is cheap.
    """

    output_field = BooleanField()
    conditional = True
    SHORT_PREFIX = 2

    def __init__(self, terms: list[Term], document: Expression) -> None:
        super().__init__()
        self.terms = terms
        self.columns = [document]

    def get_source_expressions(self) -> list[Expression]:
        return self.columns

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        document_sql, document_params = compiler.compile(self.columns[0])
        indexed = [t for t in self.terms if not (t.prefix and len(t.typed) <= self.SHORT_PREFIX)] or self.terms
        sql = f"search_words({document_sql}) @@ %s::tsquery"
        params: list[object] = [*document_params, " & ".join(term.tsquery() for term in indexed)]
        for term in self.terms:
            if term not in indexed:
                sql += f" AND strpos({document_sql}, %s) > 0"
                params += [*document_params, term.needles()[0]]
        return sql, params


class Rank(Expression):
    """The sum over the terms of 3 (in the name), 2 (in the producer or places) or 1 (elsewhere).

    Tested with a substring search on the matching product's search row, so the cost follows
    the number of matches, not how common a word is in the whole index. One
    expression node written as SQL rather than a tree of Case/When/Value: the
    tree costs more to build and compile than the query costs to run. The
    columns come in as expressions so that Django makes the join and names
    the aliases (the queryset may be relabelled inside a subquery).
    """

    output_field = IntegerField()

    def __init__(self, terms: list[Term], name: Expression, context: Expression) -> None:
        super().__init__()
        self.terms = terms
        self.columns = [name, context]

    def get_source_expressions(self) -> list[Expression]:
        return self.columns

    def set_source_expressions(self, exprs: list[Expression]) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        (name_sql, name_params), (context_sql, context_params) = (compiler.compile(c) for c in self.columns)
        # A substring test: the columns and the needles are folded words between spaces (letters and digits
        # only), so it is `LIKE '%needle%'` without the pattern matching, which cost a broad search about a
        # millisecond in ten (bench/bench_search.py, "hop tac xa nong san", on either database).
        find = "instr({}, %s) > 0" if connection.vendor == "sqlite" else "strpos({}, %s) > 0"
        parts: list[str] = []
        params: list[object] = []
        for term in self.terms:
            patterns = term.needles()
            in_name = " OR ".join([find.format(name_sql)] * len(patterns))
            in_context = " OR ".join([find.format(context_sql)] * len(patterns))
            parts.append(
                f"CASE WHEN {in_name} THEN {NAME_WEIGHT} WHEN {in_context} THEN {CONTEXT_WEIGHT} "
                f"ELSE {DOCUMENT_WEIGHT} END"
            )
            params += [v for pattern in patterns for v in (*name_params, pattern)]
            params += [v for pattern in patterns for v in (*context_params, pattern)]
        return "(" + " + ".join(parts) + ")", params


# --- indexing ----------------------------------------------------------------------------------------
_UNIT_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Đặc khu ", "Tỉnh ", "Huyện ", "Quận ", "Phường ", "Xã ")


def _place(name: str | None) -> str:
    """A unit's own name without its kind: "Xã Lục Ngạn" → "Lục Ngạn" (nobody searches for "xã")."""
    if not name:
        return ""
    for prefix in _UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# What a search row is made of, read as plain values: a full rebuild reads
# every product, and model instances for seven rows each would double its cost.
_SOURCE = (
    "folded_name",
    "name",
    "description",
    "story",
    "producer__name",
    "current_commune__name",
    "province__name",
    "producer__commune__name",
    # A legacy commune's district and former province: "Lục Ngạn", "Bắc
    # Giang" still find what was registered there before 1 July 2025.
    "producer__commune__parent__name",
    "producer__commune__province__name",
    "producer__current_commune__name",
)


def _public_key(day: dt.date) -> Subquery:
    """A product's best_star as public_products(day) decides it (one definition), 0 when it is public with no
    certificate in force (expired), null when it is not public.

    Correlated on the product's key: whatever the planner thinks of the tables (PostgreSQL right after a
    bulk load has no statistics yet), it looks up one product. Filtering public_products() by the batch's
    keys instead took 5 ms a batch with statistics and 9 s without (a nested loop over every producer).
    """
    from ocop.catalogue.querysets import public_products

    public = public_products(day).filter(pk=OuterRef("pk")).annotate(public_key=Coalesce("best_star", 0))
    return Subquery(public.values("public_key")[:1])


def _shown_star(day: dt.date) -> Subquery:
    """A public product's certificate_star as public_products(day) decides it (null when not public)."""
    from ocop.catalogue.querysets import public_products

    return Subquery(public_products(day).filter(pk=OuterRef("pk")).values("certificate_star")[:1])


def _fresh_spans(ids: list[int], day: dt.date) -> dict[int, tuple[dt.date, dt.date]]:
    """For the products among `ids` with certificates: the first and the day after the last day around
    `day` on which public_products() decides the same for them as on `day`.

    It depends on the day only through comparisons with the dates of the product's certificates, so its
    answer holds from the latest such date up to `day` and until the next one: taking each date and the
    day after it as a possible change is exact whichever way a comparison is written. Products without a
    certificate: always the same (not public).
    """
    from ocop.certificates.models import Certificate

    changes: dict[int, set[dt.date]] = {}
    rows = Certificate.objects.filter(product_id__in=ids).values_list(
        "product_id", "issued_on", "expires_on", "extended_until", "revoked_on"
    )
    for product_id, *dates in rows:
        days = changes.setdefault(product_id, set())
        for date in dates:
            if date is not None:
                days.add(date)
                if date < dt.date.max:
                    days.add(date + dt.timedelta(days=1))
    spans = {}
    for product_id, days in changes.items():
        before = [d for d in days if d <= day]
        after = [d for d in days if d > day]
        spans[product_id] = (max(before, default=dt.date.min), min(after, default=dt.date.max))
    return spans


def _entries(ids: list[int]) -> list[SearchEntry]:
    entries = []
    contexts: dict[tuple[str | None, ...], list[str]] = {}  # products of one producer share theirs
    day = clock.today()
    spans = _fresh_spans(ids, day)
    rows = Product.objects.filter(pk__in=ids).annotate(public_key=_public_key(day), shown_star=_shown_star(day))
    for pk, public_key, shown_star, sort_name, name, description, story, producer, *units in rows.values_list(
        "pk", "public_key", "shown_star", *_SOURCE
    ):
        key = (producer, *units)
        context = contexts.get(key)
        if context is None:
            places = dict.fromkeys(_place(unit) for unit in units)
            context = contexts[key] = words(producer) + [w for place in places for w in words(place)]
        name_words = words(name)
        # Every word once: a match needs each word somewhere, the rank reads the name and context columns. The
        # rows are about a seventh narrower, which a broad search reads fewer pages for (about 1.5 ms of 25 on
        # PostgreSQL for "hop tac xa nong san", bench/bench_search.py).
        document = list(dict.fromkeys(name_words + context + words(description) + words(story)))
        fresh_from, fresh_until = spans.get(pk, (dt.date.min, dt.date.max))
        entries.append(
            SearchEntry(
                product_id=pk,
                name=padded(name_words),
                context=padded(context),
                document=padded(document),
                listed=public_key is not None,
                star=public_key or None,
                shown_star=shown_star,
                sort_name=sort_name,
                fresh_from=fresh_from,
                fresh_until=fresh_until,
            )
        )
    return entries


def _write(entries: list[SearchEntry], known: set[str]) -> None:
    """Upsert the rows, and add their new words to the vocabulary (`known`: words written already)."""
    vocabulary = {word for entry in entries for word in entry.document.split() if len(word) <= MAX_WORD_CHARS}
    vocabulary -= known
    SearchTerm.objects.bulk_create([SearchTerm(term=word) for word in sorted(vocabulary)], ignore_conflicts=True)
    known |= vocabulary
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=[*ENTRY_FIELDS, "indexed_at"],
    )


def _batches(ids: Iterable[int] | None) -> Iterator[list[int]]:
    if ids is not None:
        wanted = list(ids)
        for start in range(0, len(wanted), REINDEX_BATCH):
            yield wanted[start : start + REINDEX_BATCH]
        return
    # Keyset pages: memory stays flat whatever the number of products.
    last = 0
    while True:
        batch = list(Product.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:REINDEX_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1]


def reindex(product_ids: Iterable[int] | None = None) -> int:
    """See ocop.search.reindex. Ids of deleted products are skipped (their rows went with them)."""
    known: set[str] = set()
    if product_ids is not None:
        ids = sorted(set(product_ids))
        if len(ids) <= REINDEX_BATCH:
            # The save of one product: one read, two writes, no savepoint.
            return _reindex_batch(ids, known)
        product_ids = ids
    written = 0
    with transaction.atomic():
        if product_ids is None:
            # The vocabulary only grows as rows change; a full rebuild starts it afresh.
            SearchTerm.objects.all().delete()
            # Every row is rewritten from the certificates there are now: those are seen (in the same
            # transaction, so that a rebuild that fails half-way marks nothing).
            _set_certificates_seen(_last_certificate())
        for batch in _batches(product_ids):
            written += _reindex_batch(batch, known)
    if product_ids is None and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # One b-tree instead of many segments: queries read less afterwards.
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            # Statistics that make SQLite read a match's keys from the covering indexes of migration 0005
            # rather than the wide rows (they stay right as rows come and go: one row per product).
            cursor.execute("ANALYZE search_searchentry")
    return written


def _last_certificate() -> int:
    from ocop.certificates.models import Certificate

    return Certificate.objects.aggregate(last=Max("pk"))["last"] or 0


def _set_certificates_seen(last: int) -> None:
    SearchState.objects.update_or_create(pk=1, defaults={"certificates_seen": last})


def catch_up(product_ids: Iterable[int] = ()) -> int:
    """Rewrite the rows of `product_ids` and of the products of certificates written since the last
    catch-up (an import's bulk_create sends no signal); returns the number of rows written."""
    from ocop.certificates.models import Certificate

    seen = SearchState.objects.filter(pk=1).values_list("certificates_seen", flat=True).first() or 0
    new = list(Certificate.objects.filter(pk__gt=seen).values_list("pk", "product_id"))
    ids = set(product_ids) | {product_id for _pk, product_id in new}
    written = reindex(ids) if ids else 0
    if new:
        _set_certificates_seen(max(pk for pk, _product_id in new))
    return written


def refresh() -> int:
    """Rewrite the rows that are not exact today (the platform clock's), as the daily job does; returns the
    number of rows written. Rows are always written for today: that is the day the catalogue asks about.

    Also the rows of the products of certificates written in the last two days: on PostgreSQL a catch-up
    does not see a certificate another transaction has written but not committed yet; if that one came
    without a signal (bulk_create) and a later certificate moved the mark past it, this rewrites its row.
    """
    from ocop.certificates.models import Certificate

    day = clock.today()
    stale = SearchEntry.objects.filter(
        models.Q(fresh_until__isnull=True) | models.Q(fresh_until__lte=day) | models.Q(fresh_from__gt=day)
    )
    # created_at is written by the database's clock, not the platform's.
    recent = Certificate.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=2))
    ids = {*stale.values_list("product_id", flat=True), *recent.values_list("product_id", flat=True)}
    return catch_up(ids)


def _reindex_batch(ids: list[int], known: set[str]) -> int:
    entries = _entries(ids)
    if entries:
        _write(entries, known)
    return len(entries)
