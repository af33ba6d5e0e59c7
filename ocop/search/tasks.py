"""Background task of the search: the daily rewrite of the rows a new day made out of date."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_search_rows(day: str | None = None) -> dict[str, object]:
    """Rewrite the search rows whose catalogue keys changed with the day (a certificate came into force,
    expired or was revoked on a date set earlier), and those of certificates written without a signal.

    `day` is accepted as every daily job's is, but rows are written for the platform clock's today, the day
    the catalogue asks about; until this runs on a new day, the catalogue's search reads the products.
    """
    from ocop.search.products import refresh

    return {"rows": refresh()}
