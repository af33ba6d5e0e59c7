"""The fast search structures, which exist on one database vendor each (see ocop/search/models.py).

SQLite: an FTS5 table over the folded name, context and document, reading its
text from search_searchentry (external content) and kept in step by triggers.
`detail=column` records which column holds a word but no positions: the
search asks only for whole words and prefixes, in the whole row or in one
column (for the rank). Prefix indexes make a half-typed last word cheap.

PostgreSQL: pg_trgm with a GIN index on the folded document, which serves
`LIKE '% word %'`; and a pattern index on the vocabulary for the prefix
look-up (`LIKE 'wor%'`) whatever the database's collation.
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        name, context, document, content='search_searchentry', content_rowid='product_id',
        tokenize='unicode61 remove_diacritics 0', detail=column, columnsize=0, prefix='1 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, name, context, document)
        VALUES (new.product_id, new.name, new.context, new.document);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, context, document)
        VALUES ('delete', old.product_id, old.name, old.context, old.document);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, name, context, document)
        VALUES ('delete', old.product_id, old.name, old.context, old.document);
        INSERT INTO search_fts(rowid, name, context, document)
        VALUES (new.product_id, new.name, new.context, new.document);
    END""",
    # Rows written before this migration (none on a fresh database).
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_entry_document_trgm ON search_searchentry USING gin (document gin_trgm_ops)",
    "CREATE INDEX search_term_prefix ON search_searchterm (term varchar_pattern_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_term_prefix",
    "DROP INDEX IF EXISTS search_entry_document_trgm",
    # pg_trgm stays: other schemas may use it.
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_entry_and_term")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
