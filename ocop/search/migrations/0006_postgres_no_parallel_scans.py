"""PostgreSQL: no parallel scans of the search rows.

A broad search ("hop tac xa nong san", 8,099 of 100,000 products) reads its
matches with a bitmap heap scan that the planner split over two workers:
starting them and merging their sorted rows cost more than they saved on
this two-core machine (bench/bench_search.py, the page and count statement:
40 ms with workers against 28 ms without; "nuoc m" 32 against 20). A search
is a short statement among many at once; workers are for the reports.
SQLite has no parallel scans: nothing to do there.
"""

from django.db import migrations


def _set(value: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE search_searchentry {value}", params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_catalogue_keys")]

    operations = [
        migrations.RunPython(_set("SET (parallel_workers = 0)"), _set("RESET (parallel_workers)")),
    ]
