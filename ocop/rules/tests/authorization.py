"""This app's rows of the global authorization table (tests/test_authorization.py), for the council rules screen.

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

The rulebooks are public; a province's own council rules are kept by its provincial office (and the central
office, administrators). Commune officers, council members and producers are refused. "council_override" is
Bắc Ninh's, so the Hà Nội office is told it does not exist. An empty form is sent back (400).
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

KEEPERS = table(403, admin=200, central=200, province=200, province_other=200, anonymous="login")
KEEPERS_EMPTY_POST = {**KEEPERS, "admin": 400, "central": 400, "province": 400, "province_other": 400}
OVERRIDE = {**KEEPERS, "province_other": 404}
OVERRIDE_EMPTY_POST = {**OVERRIDE, "admin": 400, "central": 400, "province": 400}
OVERRIDE_DELETE = {**OVERRIDE, "admin": 302, "central": 302, "province": 302}

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("rules:override_list", None, "get", KEEPERS),
    ("rules:override_create", None, "get", KEEPERS),
    ("rules:override_create", None, "post", KEEPERS_EMPTY_POST),
    ("rules:override_edit", "council_override", "get", OVERRIDE),
    ("rules:override_edit", "council_override", "post", OVERRIDE_EMPTY_POST),
    ("rules:override_delete", "council_override", "get", OVERRIDE),
    ("rules:override_delete", "council_override", "post", OVERRIDE_DELETE),
]


def objects(world) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from ocop.rules.models import CouncilRuleOverride

    override = CouncilRuleOverride.objects.create(
        province=world.bac_ninh, valid_from=dt.date(2026, 1, 1), quorum_share=Decimal("0.6"), decision="15/QĐ-UBND"
    )
    return {"council_override": override}
