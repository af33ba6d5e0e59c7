"""What the public API serves about lots (GET /api/v1/lots/{id}/epcis, mounted in ocop/api/api.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ocop.traceability.actions import export_document
from ocop.traceability.querysets import public_lots

NOT_PUBLIC = _("There is no lot with this number among those of certified products.")


def public_document(lot_id: int) -> dict[str, Any] | None:
    """The EPCIS document of a public lot, or None when the lot is unknown or not public."""
    lot = public_lots().select_related("product").filter(pk=lot_id).first()
    return None if lot is None else export_document(lot, audit=False)
