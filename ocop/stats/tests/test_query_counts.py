"""The number of SQL queries of every statistics view and export is pinned, and does not grow with the data.

Each view is requested on a generated national set (ocop.stats.national) at two sizes, a small one and one
six times larger: the counts must be the same at both sizes (no query per row, per province or per commune)
and stay within the pinned numbers.

Every view is counted cold (the figures kept between requests, `ocop.stats.cache`, are dropped before each),
and the dashboards and the API once more right after (warm: what a reader gets while the data has not
changed), each against its own pin.

The exports read their rows in chunks of 2,000 (`figures.details`), one query per chunk by design, so that a
national export never holds every row at once: both sizes here stay within one chunk, and the national
benchmark (bench/bench_stats_national.py) shows the count of a full national export.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.geo.models import AdminUnit
from ocop.registry.models import Product
from ocop.stats import cache
from ocop.stats.national import Scale, generate
from ocop.testing import login

pytestmark = pytest.mark.django_db

SIZES = (
    Scale(producers=100, products=300, dossiers=900, scores=6_000, years=5, seed=11),
    Scale(producers=500, products=1_800, dossiers=5_400, scores=36_000, years=5, seed=11),
)
PAST = "2023-12-31"

# name: (who, url name or path, query string)
VIEWS: dict[str, tuple[str, str, str]] = {
    "dashboard national": ("central", "stats:dashboard", ""),
    "dashboard province": ("province", "stats:dashboard", ""),
    "dashboard commune": ("commune", "stats:dashboard", ""),
    "dashboard as of a past day": ("central", "stats:dashboard", f"as_of={PAST}"),
    "dashboard with filters": ("central", "stats:dashboard", "star=4&category=1&kind=cooperative"),
    "product list national": ("central", "stats:product_list", ""),
    "product list province 4★": ("province", "stats:product_list", "star=4"),
    "product list as of a past day": ("central", "stats:product_list", f"as_of={PAST}"),
    "export xlsx national": ("central", "stats:export_xlsx", ""),
    "export xlsx province": ("province", "stats:export_xlsx", ""),
    "export csv national": ("central", "stats:export_csv", ""),
    "export pdf national": ("central", "stats:export_pdf", ""),
    "api products national": ("anonymous", "/api/v1/stats/products", ""),
    "api products province": ("anonymous", "/api/v1/stats/products", "province={province}"),
}

# The most queries each may run (the counts measured when pinned; raise only with a reason).
PINNED: dict[str, int] = {
    "dashboard national": 23,
    "dashboard province": 24,
    "dashboard commune": 22,
    "dashboard as of a past day": 20,
    "dashboard with filters": 20,
    "product list national": 6,
    "product list province 4★": 7,
    "product list as of a past day": 6,
    "export xlsx national": 5,
    "export xlsx province": 6,
    "export csv national": 5,
    "export pdf national": 11,
    "api products national": 5,
    "api products province": 6,
    # Warm: the figures kept since the view above (the traceability counts are always read afresh).
    "dashboard national (warm)": 9,
    "dashboard province (warm)": 10,
    "dashboard commune (warm)": 10,
    "dashboard as of a past day (warm)": 9,
    "dashboard with filters (warm)": 9,
    "api products national (warm)": 0,
    "api products province (warm)": 1,
}


def _clients() -> tuple[dict[str, Client], str]:
    # The officers of the province and the commune with the most products: no view is measured on an
    # empty area (a view may skip a query when there is nothing to show).
    top = Product.objects.values("province").annotate(n=Count("id")).order_by("-n", "province").first()
    province = AdminUnit.objects.get(pk=top["province"])
    busiest = (
        Product.objects.filter(province=province)
        .values("current_commune")
        .annotate(n=Count("id"))
        .order_by("-n", "current_commune")
        .first()
    )
    specs: dict[str, dict[str, Any]] = {
        "central": {"role": Role.CENTRAL},
        "province": {"role": Role.PROVINCE, "province": province},
        "commune": {"role": Role.COMMUNE, "commune_id": busiest["current_commune"]},
    }
    clients = {"anonymous": Client()}
    for who, spec in specs.items():
        clients[who] = login(Client(), User.objects.create(username=f"stats_{who}", **spec))
    return clients, province.code


def _count_queries() -> dict[str, list[str]]:
    clients, province = _clients()
    counts = {}

    def count(name: str, client: Client, url: str) -> None:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            # A streamed export runs its queries while the body is read.
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (name, response.status_code, body[:300])
        counts[name] = [q["sql"] for q in queries.captured_queries]

    for name, (who, target, query) in VIEWS.items():
        url = reverse(target) if ":" in target else target
        query = query.format(province=province)
        full = f"{url}?{query}" if query else url
        cache.changed()  # cold: nothing computed before counts
        count(name, clients[who], full)
        if name.startswith(("dashboard", "api")):
            count(f"{name} (warm)", clients[who], full)
    return counts


def _difference(small: list[str], large: list[str]) -> list[str]:
    """The statements run at one size only (shortened), to find the query that depends on the data."""
    import re

    def shape(sql: str) -> str:
        return re.sub(r"\b\d+\b|'[^']*'", "?", sql)[:160]

    a, b = [shape(q) for q in small], [shape(q) for q in large]
    return [f"small only: {q}" for q in a if q not in b] + [f"large only: {q}" for q in b if q not in a]


def test_query_counts_are_pinned_and_do_not_grow_with_the_data() -> None:
    measured = []
    for scale in SIZES:
        with transaction.atomic():
            generate(scale)
            measured.append(_count_queries())
            transaction.set_rollback(True)
    small, large = measured
    grew = {
        name: (len(small[name]), len(large[name]), _difference(small[name], large[name]))
        for name in large
        if len(small[name]) != len(large[name])
    }
    assert not grew, f"query counts change with the data (small, large, statements): {grew}"
    over = {name: (len(large[name]), PINNED.get(name)) for name in large if len(large[name]) > PINNED.get(name, 0)}
    assert not over, f"more queries than pinned (measured, pinned): {over}"
