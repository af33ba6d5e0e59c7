"""The alert block of the producer's and the provincial office's dashboards: one query."""

from __future__ import annotations

from typing import Any

from ocop.scans.models import Alert, AlertStatus

LIST_LIMIT = 5


def alert_block(user: Any) -> dict[str, Any]:
    rows = list(
        Alert.objects.for_user(user).filter(status=AlertStatus.OPEN).select_related("product", "lot")[: LIST_LIMIT + 1]
    )
    return {"alerts_open": rows[:LIST_LIMIT], "alerts_more": len(rows) > LIST_LIMIT}
