"""PostgreSQL: a GIN index on the document's words, which the search matches instead of trigram LIKE.

`search_words(document)` takes the folded words of the document as they are
(`array_to_tsvector`: no parser, no dictionary, no stemming), so a lexeme is
exactly one word of ocop.search.text.words and `@@` means what the FTS5 MATCH
means on SQLite: every word, the last one also as a prefix. Words of 2 KB or
more, which a `tsvector` cannot hold, are left out rather than failing the
write (nobody types them; the vocabulary keeps words up to 40 characters).

The trigram index of 0002 stays: dropping it is a separate decision.
SQLite: nothing to do (FTS5 already indexes words).
"""

from django.db import migrations

POSTGRES_CREATE = [
    """CREATE FUNCTION search_words(document text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$
            SELECT array_to_tsvector(ARRAY(
                SELECT word FROM unnest(string_to_array(btrim(document), ' ')) AS word
                WHERE word <> '' AND octet_length(word) < 2048
            ))
        $$""",
    "CREATE INDEX search_entry_words ON search_searchentry USING gin (search_words(document))",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_entry_words",
    "DROP FUNCTION IF EXISTS search_words(text)",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_structures")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_CREATE}), _run({"postgresql": POSTGRES_DROP})),
    ]
