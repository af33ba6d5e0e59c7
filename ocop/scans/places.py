"""Coarse places for the scan log: a consented position becomes a present-day province, and nothing more.

The browser sends a position rounded to about ten kilometres, only when the consumer presses the button that
asks for it; the server maps it to the province of the nearest reference point in
`data/province_points.json` (the seat and the rough centre of each of the 63 former provinces, filed under the
present-day province that absorbed it) and keeps the province alone: the coordinates are never stored or
logged. A position farther than SCAN_PLACE_MAX_KM from every point (abroad, at sea) gives no province.

Why not from the IP address: Vietnamese mobile carriers put their customers behind carrier-grade NAT whose
public addresses geolocate to a gateway city (often Hà Nội or Hồ Chí Minh City) whatever the phone's real
place, so an IP-derived province would be wrong for most scans and would raise false "distant provinces"
alerts. The scan log therefore stores no IP-derived data at all; a consumer without geolocation can pick the
province from a list instead.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).parent / "data" / "province_points.json"
EARTH_RADIUS_KM = 6371.0
# Vietnam with its islands, generously: anything outside is refused before any distance is computed.
LAT_RANGE = (7.0, 24.0)
LON_RANGE = (101.0, 118.0)


@functools.cache
def _data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def centres() -> dict[str, tuple[float, float]]:
    """Rough centre of every present-day province, by province code."""
    return {code: (lat, lon) for code, (lat, lon) in _data()["centres"].items()}


def points() -> list[tuple[str, float, float, str]]:
    return [tuple(point) for point in _data()["points"]]  # type: ignore[misc]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def province_code_at(lat: float, lon: float) -> str | None:
    """The code of the present-day province around (lat, lon), or None outside Vietnam."""
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        return None
    best_code, best = None, math.inf
    for code, plat, plon, _label in points():
        d = distance_km((lat, lon), (plat, plon))
        if d < best:
            best_code, best = code, d
    return best_code if best <= settings.SCAN_PLACE_MAX_KM else None


def province_distance_km(code_a: str, code_b: str) -> float | None:
    """Distance between the centres of two present-day provinces; None when either is unknown."""
    table = centres()
    if code_a not in table or code_b not in table:
        return None
    return distance_km(table[code_a], table[code_b])


def coarse(value: float) -> float:
    """A coordinate rounded to 0.1 degree (about 11 km), the most the server ever looks at."""
    return round(value, 1)
