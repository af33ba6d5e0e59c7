"""PostgreSQL: a word index of the public catalogue's rows alone, and no more trigram index.

The public catalogue's search (search_listed) asks for `listed` rows whose
words hold the query's: a GIN index on the same words restricted to those rows
(`WHERE listed`) leaves out the products the public does not see (a quarter of
bench/bench_search.py's catalogue, often more in a registry that holds every
product under evaluation), so the index hands fewer rows to read: the page and
count statement of "chung nhan chi dan dia ly" took 16.5 ms instead of 22. The
index on every row stays, for searches of other product sets (search_products).

The trigram index of 0002 has not been read since 0003 and cost every write of
a search row (and a full rebuild) a third index: dropped.
SQLite: nothing to do (FTS5).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE INDEX search_entry_listed_words ON search_searchentry USING gin (search_words(document)) WHERE listed",
    "DROP INDEX IF EXISTS search_entry_document_trgm",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX search_entry_document_trgm ON search_searchentry USING gin (document gin_trgm_ops)",
    "DROP INDEX IF EXISTS search_entry_listed_words",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_no_parallel_scans")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
