"""This app's rows of the global authorization table (tests/test_authorization.py), for the holiday calendar.

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).

The holiday calendar is kept by the offices: the central office and administrators keep every row, national
ones (no province) included; a provincial office keeps its own province's rows and reads the national ones,
which it may not change (403). Commune officers, council members and producers are refused. "holiday" is a
Bắc Ninh day off, so the Hà Nội office is told it does not exist; "holiday_national" applies everywhere.
An empty form is sent back (400).
"""

from __future__ import annotations

from typing import Any

from ocop.testing import table

KEEPERS = table(403, admin=200, central=200, province=200, province_other=200, anonymous="login")
KEEPERS_EMPTY_POST = {**KEEPERS, "admin": 400, "central": 400, "province": 400, "province_other": 400}
HOLIDAY = {**KEEPERS, "province_other": 404}
HOLIDAY_EMPTY_POST = {**HOLIDAY, "admin": 400, "central": 400, "province": 400}
HOLIDAY_DELETE = {**HOLIDAY, "admin": 302, "central": 302, "province": 302}
NATIONAL = {**KEEPERS, "province": 403, "province_other": 403}
NATIONAL_EMPTY_POST = {**NATIONAL, "admin": 400, "central": 400}
NATIONAL_DELETE = {**NATIONAL, "admin": 302, "central": 302}

CASES: list[tuple[str, str | None, str, dict[str, object]]] = [
    ("evaluation:holiday_list", None, "get", KEEPERS),
    ("evaluation:holiday_create", None, "get", KEEPERS),
    ("evaluation:holiday_create", None, "post", KEEPERS_EMPTY_POST),
    ("evaluation:holiday_edit", "holiday", "get", HOLIDAY),
    ("evaluation:holiday_edit", "holiday", "post", HOLIDAY_EMPTY_POST),
    ("evaluation:holiday_edit", "holiday_national", "get", NATIONAL),
    ("evaluation:holiday_edit", "holiday_national", "post", NATIONAL_EMPTY_POST),
    ("evaluation:holiday_delete", "holiday", "get", HOLIDAY),
    ("evaluation:holiday_delete", "holiday", "post", HOLIDAY_DELETE),
    ("evaluation:holiday_delete", "holiday_national", "get", NATIONAL),
    ("evaluation:holiday_delete", "holiday_national", "post", NATIONAL_DELETE),
]


def objects(world) -> dict[str, Any]:
    import datetime as dt

    from ocop.evaluation.models import HolidayOverride

    return {
        "holiday": HolidayOverride.objects.create(
            province=world.bac_ninh, date=dt.date(2027, 3, 10), name="Lễ hội địa phương"
        ),
        "holiday_national": HolidayOverride.objects.create(province=None, date=dt.date(2027, 3, 12), name="Nghỉ bù"),
    }
