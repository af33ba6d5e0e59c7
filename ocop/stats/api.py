"""The statistics endpoints of the public API, mounted at /api/v1/stats/.

    GET /api/v1/stats/products?province=&as_of=&map=

Aggregate figures of recognised OCOP products (no personal data): counts and
shares by star and the other breakdowns, as they stood on `as_of` (default
today), for the whole country or one province given by code or name, present
day or former.

Codes repeat across the two maps (24 is Bắc Giang before 1 July 2025 and Bắc
Ninh since). An ambiguous code is resolved by `map` when given, else by the
`as_of` date: the map in force that day is tried first (legacy before 1 July
2025, current from that day), then the other one. Names are unambiguous:
"Bắc Giang" is the former province whatever the date.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel

from ocop.api.schemas import Error
from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.stats import cache as stats_cache
from ocop.stats import figures
from ocop.stats.filters import EARLIEST, StatsFilter, resolve_area

router = Router(tags=["statistics"])


# The parts of the answer are plain pydantic models, not ninja `Schema`s: a `Schema` wraps every object it
# validates in a getter that can read model attributes, and a national answer holds thousands of lines (one per
# commune), all built here as plain dicts; that wrapping cost more than computing the figures. Same JSON, same
# OpenAPI description.
class UnitOut(BaseModel):
    code: str
    name: str
    map: str
    level: str


class StarCount(BaseModel):
    star: int
    count: int
    share: float


class LineOut(BaseModel):
    label: str
    count: int
    share: float
    by_star: dict[str, int]


class StatusCount(BaseModel):
    status: str
    label: str
    count: int


class ProductStats(Schema):
    as_of: dt.date
    province: UnitOut | None
    units_as_named: Literal["current", "legacy"]
    total: int
    by_star: list[StarCount]
    proposed_for_higher_rating: int
    by_category: list[LineOut]
    by_group: list[LineOut]
    by_product_set: list[LineOut]
    by_province: list[LineOut]
    by_district: list[LineOut]
    by_commune: list[LineOut]
    by_producer_type: list[LineOut]
    by_year_of_recognition: list[LineOut]
    certificates_by_status: list[StatusCount]
    reevaluations_due: int


class ProductStatsQuery(Schema):
    province: str | None = None
    as_of: dt.date | None = None
    map: Literal["current", "legacy"] | None = None


def _lines(lines: list[figures.Line]) -> list[dict[str, object]]:
    return [
        {
            "label": line.label,
            "count": line.count,
            "share": line.share,
            "by_star": {str(k): v for k, v in sorted(line.by_star.items())},
        }
        for line in lines
    ]


@router.get(
    "/products",
    response={200: ProductStats, 400: Error, 404: Error},
    url_name="stats_products",
)
def product_stats(request: HttpRequest, query: Query[ProductStatsQuery]) -> object:
    """Recognised products (3★ or more, counted once at their highest star in force) on `as_of`, with breakdowns."""
    as_of = query.as_of or clock.today()
    if as_of < EARLIEST or as_of > dt.date(2100, 12, 31):
        return Status(400, {"detail": _("The date must lie between 2000 and 2100."), "code": "invalid_date"})
    unit = None
    text = (query.province or "").strip()
    if text:
        unit = resolve_area(text[:120], as_of=as_of, map_=query.map or "", levels=("province",))
        if unit is None:
            detail = _("No province matches “%(value)s”.") % {"value": text[:120]}
            return Status(404, {"detail": detail, "code": "not_found"})
    f = StatsFilter(as_of=as_of, area=unit)
    # Kept per process until the data changes (`cache`): the public figures are asked for far more often.
    data = stats_cache.remember(
        stats_cache.generation(),
        figures.PUBLIC,
        f,
        "figures",
        lambda: figures.compute(figures.PUBLIC, f),
        clock.today(),
    )
    # Checked against the schema and rendered here rather than by the framework after the view returns, so that
    # both run with the cyclic garbage collector paused (`cache.collector_paused`): a national answer is a few
    # thousand small objects, and the full collections they trigger over the process heap made building some
    # answers three to five times slower. The same validation and rendering as the framework's (same JSON).
    from ocop.api.api import api  # the API this router is mounted on (which imports this module)

    with stats_cache.collector_paused():
        payload = ProductStats.model_validate(_answer(f, unit, data)).model_dump()
        return api.create_response(request, payload, status=200)


def _answer(f: StatsFilter, unit: AdminUnit | None, data: figures.Figures) -> dict[str, object]:
    """The answer (`ProductStats`) as plain data, from the figures of `f`."""
    return {
        "as_of": f.as_of,
        "province": {"code": unit.code, "name": unit.name, "map": unit.map, "level": unit.level} if unit else None,
        "units_as_named": "legacy" if f.legacy_period else "current",
        "total": data.total,
        "by_star": [{"star": line.key, "count": line.count, "share": line.share} for line in data.by_star],
        "proposed_for_higher_rating": data.proposal_count,
        "by_category": _lines(data.by_category),
        "by_group": _lines(data.by_group),
        "by_product_set": _lines(data.by_set),
        "by_province": _lines(data.by_province),
        "by_district": _lines(data.by_district),
        "by_commune": _lines(data.by_commune),
        "by_producer_type": _lines(data.by_kind),
        "by_year_of_recognition": _lines(data.by_year),
        "certificates_by_status": [
            {"status": line.key, "label": line.label, "count": line.count} for line in data.statuses
        ],
        "reevaluations_due": data.reevaluation_due.count,
    }
