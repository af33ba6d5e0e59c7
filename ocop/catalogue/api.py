"""The public catalogue endpoints of the API, mounted at /api/v1/ (e.g. GET /api/v1/products)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["catalogue"])
