"""The statistics endpoints of the public API, mounted at /api/v1/stats/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["statistics"])
