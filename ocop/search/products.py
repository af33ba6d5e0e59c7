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

Cost: a search reads every matching product once for the page (the rank and
the caller's order need all of them) and once for the count, so it grows with
the number of matches, not with the size of the catalogue; the index part
itself is a small share of it (bench/bench_search.py measures both).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL

from ocop.registry.models import Product
from ocop.search.models import SearchEntry, SearchTerm
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
    if connection.vendor == "sqlite":
        match = " AND ".join(term.fts5() for term in terms)
        found = RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", (match,))
        return queryset.filter(pk__in=found).annotate(search_rank=rank)
    return queryset.filter(WordsMatch(terms, F("search_entry__document"))).annotate(search_rank=rank)


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

    Tested with LIKE on the matching product's search row, so the cost follows
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
        parts: list[str] = []
        params: list[object] = []
        for term in self.terms:
            patterns = [f"%{needle}%" for needle in term.needles()]
            in_name = " OR ".join([f"{name_sql} LIKE %s"] * len(patterns))
            in_context = " OR ".join([f"{context_sql} LIKE %s"] * len(patterns))
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
    "pk",
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


def _entries(ids: list[int]) -> list[SearchEntry]:
    entries = []
    contexts: dict[tuple[str | None, ...], list[str]] = {}  # products of one producer share theirs
    for pk, name, description, story, producer, *units in Product.objects.filter(pk__in=ids).values_list(*_SOURCE):
        key = (producer, *units)
        context = contexts.get(key)
        if context is None:
            places = dict.fromkeys(_place(unit) for unit in units)
            context = contexts[key] = words(producer) + [w for place in places for w in words(place)]
        name_words = words(name)
        document = name_words + context + words(description) + words(story)
        entries.append(
            SearchEntry(product_id=pk, name=padded(name_words), context=padded(context), document=padded(document))
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
        update_fields=["name", "context", "document", "indexed_at"],
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
        for batch in _batches(product_ids):
            written += _reindex_batch(batch, known)
    if product_ids is None and connection.vendor == "sqlite":
        # One b-tree instead of many segments: queries read less afterwards.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return written


def _reindex_batch(ids: list[int], known: set[str]) -> int:
    entries = _entries(ids)
    if entries:
        _write(entries, known)
    return len(entries)
