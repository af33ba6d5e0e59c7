"""This app's rows of the global authorization table (tests/test_authorization.py).

CASES: (url name, object key, method, expected per persona), expected built with `ocop.testing.table`.
objects(world): the objects the rows name by key (a model instance, or a tuple of URL arguments).
"""

from __future__ import annotations

from typing import Any

CASES: list[tuple[str, str | None, str, dict[str, object]]] = []


def objects(world) -> dict[str, Any]:
    return {}
