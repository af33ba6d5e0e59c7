"""The star of the certificate a product shows, so that the public catalogue's list (without a search) reads the
search rows too; and indexes that read that list in its order (highest rating first, then the shown
certificate's star, then the name).

The rows written before hold no shown star: their `fresh_until` is cleared, which the catalogue reads as "not
known" (ocop.search.products.rows_exact_on) until the daily job or `rebuild_search_index` rewrites them.
"""

from django.db import migrations, models

# On the listed rows only (the catalogue asks for `listed`): the rating order (nulls, no star in force, come last
# in DESC on both databases) and the name order; both read forwards or backwards.
CREATE = {
    "sqlite": [
        "CREATE INDEX search_entry_list ON search_searchentry (star DESC, shown_star DESC, sort_name, product_id)"
        " WHERE listed",
        "CREATE INDEX search_entry_list_name ON search_searchentry (sort_name, product_id) WHERE listed",
    ],
    "postgresql": [
        "CREATE INDEX search_entry_list ON search_searchentry"
        " (star DESC NULLS LAST, shown_star DESC, sort_name, product_id) WHERE listed",
        "CREATE INDEX search_entry_list_name ON search_searchentry (sort_name, product_id) WHERE listed",
    ],
}
DROP = ["DROP INDEX IF EXISTS search_entry_list", "DROP INDEX IF EXISTS search_entry_list_name"]


def _create(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    for sql in CREATE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)
    schema_editor.execute("UPDATE search_searchentry SET fresh_until = NULL", params=None)


def _drop(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    for sql in DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_postgres_listed_word_index")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="shown_star",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(_create, _drop),
    ]
