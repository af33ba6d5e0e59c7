"""This app's rows of the global authorization table (tests/test_authorization.py).

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

Statistics are the offices' (admin, central, the provincial offices, the commune officer), each within its
scope; council members and producers are refused. Targets are kept by the provincial office of the province
(and the central office, administrators): "stats_target" is Bắc Ninh's, so the Hà Nội office is told it does
not exist and the commune officer (who reads it) is refused. An empty target form is sent back (400).
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

OFFICES = table(403, admin=200, central=200, province=200, province_other=200, commune=200, anonymous="login")
KEEPERS_EMPTY_POST = {**OFFICES, "admin": 400, "central": 400, "province": 400, "province_other": 400, "commune": 403}
TARGET = {**OFFICES, "province_other": 404, "commune": 403}
TARGET_EMPTY_POST = {**TARGET, "admin": 400, "central": 400, "province": 400}

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    # Public aggregate figures (no personal data).
    ("api:stats_products", None, "get", table(200)),
    ("stats:dashboard", None, "get", OFFICES),
    ("stats:product_list", None, "get", OFFICES),
    ("stats:export_xlsx", None, "get", OFFICES),
    ("stats:export_csv", None, "get", OFFICES),
    ("stats:export_pdf", None, "get", OFFICES),
    ("stats:target_list", None, "get", OFFICES),
    ("stats:target_list", None, "post", KEEPERS_EMPTY_POST),
    ("stats:target_edit", "stats_target", "get", TARGET),
    ("stats:target_edit", "stats_target", "post", TARGET_EMPTY_POST),
]


def objects(world) -> dict[str, Any]:
    from ocop.stats.models import ProvinceTarget

    target = ProvinceTarget.objects.create(
        province=world.bac_ninh, year=2030, products_target_min=100, products_target_max=120, source="Kế hoạch"
    )
    return {"stats_target": target}
