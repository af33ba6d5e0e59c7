"""What the public catalogue filters and orders a search by, kept in the search row (see ocop/search/models.py).

The new columns are nullable so that SQLite adds them with ALTER TABLE instead
of rebuilding the table (which would drop the FTS5 triggers). Rows written
before are null, which the catalogue reads as "not known": it reads the
products until `rebuild_search_index` or the daily job fills them.

SQLite: two covering indexes, so that a search reads small index entries for
its matches instead of the wide rows (whose documents fill a page with a few
rows): the count reads (product_id, listed), the page adds what it orders by.
PostgreSQL reads the rows it found through the word index anyway.
"""

from django.db import migrations, models

SQLITE_CREATE = [
    "CREATE INDEX search_entry_listed ON search_searchentry (product_id, listed)",
    "CREATE INDEX search_entry_page ON search_searchentry (product_id, listed, star, sort_name, name, context)",
    # Without statistics SQLite looks a product up by the primary key's own index (unique: one row), then
    # reads the wide row; with them it knows these find one row too, and reads the index alone.
    "ANALYZE search_searchentry",
]
SQLITE_DROP = ["DROP INDEX IF EXISTS search_entry_page", "DROP INDEX IF EXISTS search_entry_listed"]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_photo_names_evidence_expiry_index"),
        ("search", "0004_sqlite_three_letter_prefixes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("certificates_seen", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "search state",
            },
        ),
        migrations.AddField(
            model_name="searchentry",
            name="fresh_from",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="fresh_until",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="listed",
            field=models.BooleanField(null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="sort_name",
            field=models.CharField(max_length=250, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="star",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["fresh_until"], name="search_entry_fresh_until"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["fresh_from"], name="search_entry_fresh_from"),
        ),
        migrations.RunPython(_run(SQLITE_CREATE), _run(SQLITE_DROP)),
    ]
