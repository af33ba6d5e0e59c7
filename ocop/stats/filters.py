"""The filters of every statistics page, export and API call: parsed once, from a query string.

One `StatsFilter` holds what a figure was computed with; the dashboard writes
it back into the link of every number (`querystring`), so the list behind a
number is computed with exactly the filters that produced it.

Areas: a unit is keyed by (map, level, code) and codes repeat across the two
maps (24 is Bắc Giang on the legacy map and Bắc Ninh on the current one). An
area is given by its code or its name, with an optional `map`:

- `map=current` or `map=legacy` decides;
- without it, the map in force on the `as_of` day is tried first (the legacy
  map before 1 July 2025, the current one from that day), then the other map;
- within a map, provinces are tried first, then districts, then communes.

So `area=24&as_of=2022-11-10` is Bắc Giang and `area=24` today is Bắc Ninh;
`area=Bắc Giang` is the former province whatever the date, since no present-day
province has that name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.translation import gettext as _

from ocop.geo.models import AdminUnit, UnitLevel, UnitMap
from ocop.lib import clock
from ocop.lib.text import fold
from ocop.registry.models import ProducerKind

# The day the present-day map came into force (Resolution 202/2025/QH15).
MERGER_DAY = dt.date(2025, 7, 1)
STARS = (3, 4, 5)
EARLIEST = dt.date(2000, 1, 1)
# Certificate statuses a list can be asked for; "reevaluation_due" is the window in which the
# re-evaluation must be filed (180 to 120 days before expiry).
STATUSES = ("valid", "expiring", "extended", "expired", "revoked", "reevaluation_due")
_PREFIXES = ("tinh ", "thanh pho ", "tp ", "tp. ")


class FilterError(ValueError):
    """Invalid filter values; `messages` are translated and shown to the user."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class AreaNotFound(FilterError):
    pass


@dataclass(frozen=True)
class StatsFilter:
    as_of: dt.date
    area: AdminUnit | None = None
    area_text: str = ""
    map: str = ""
    star: int | None = None
    category: int | None = None
    group: int | None = None
    product_set: int | None = None
    kind: str = ""
    year: int | None = None
    status: str = ""
    # A second unit the list is narrowed to (the line of a breakdown), kept apart from the area the figures
    # were asked for: the list behind a number is then the intersection, exactly what the line counted.
    sub: AdminUnit | None = None
    explicit_date: bool = field(default=False, compare=False)

    @property
    def legacy_period(self) -> bool:
        """Before 1 July 2025 the figures name the units of the legacy map."""
        return self.as_of < MERGER_DAY

    def params(self, **changes: Any) -> dict[str, str]:
        """The query parameters of this filter (with `changes`), as the pages and exports read them."""
        f = replace(self, **changes)
        out: dict[str, str] = {"as_of": f.as_of.isoformat()}
        if f.area is not None:
            out["area"] = f.area.code
            out["map"] = f.area.map
        if f.sub is not None:
            out["sub"] = f.sub.code
            out["sub_map"] = f.sub.map
        for key, value in (
            ("star", f.star),
            ("category", f.category),
            ("group", f.group),
            ("set", f.product_set),
            ("kind", f.kind),
            ("year", f.year),
            ("status", f.status),
        ):
            if value not in (None, ""):
                out[key] = str(value)
        return out

    def querystring(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) pairs naming the filters, for report headers."""
        from ocop.registry.models import ProductCategory, ProductGroup, ProductSet

        rows = [(_("As of"), self.as_of.strftime("%d/%m/%Y"))]
        if self.area is not None:
            rows.append((_("Area"), self.area.full_name()))
        if self.sub is not None:
            rows.append((_("Within"), self.sub.full_name()))
        if self.star:
            rows.append((_("Rating"), f"{self.star}★"))
        if self.category:
            rows.append((_("Product category"), str(ProductCategory.objects.filter(pk=self.category).first() or "")))
        if self.group:
            rows.append((_("Product group"), str(ProductGroup.objects.filter(pk=self.group).first() or "")))
        if self.product_set:
            rows.append((_("Product set"), str(ProductSet.objects.filter(pk=self.product_set).first() or "")))
        if self.kind:
            rows.append((_("Type of producer"), str(ProducerKind(self.kind).label)))
        if self.year:
            rows.append((_("Year of first recognition"), str(self.year)))
        if self.status:
            rows.append((_("Certificate status"), str(status_label(self.status))))
        return rows


def status_label(status: str) -> str:
    from ocop.certificates.models import CertificateStatus

    if status == "reevaluation_due":
        return _("Re-evaluation due")
    return str(CertificateStatus(status).label)


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def resolve_area(
    text: str, *, as_of: dt.date, map_: str = "", levels: tuple[str, ...] = ("province", "district", "commune")
) -> AdminUnit | None:
    """The unit named by `text` (code or name); see the module docstring for the order. None if nothing matches."""
    text = text.strip()
    if not text or "\x00" in text:
        return None
    preferred = UnitMap.LEGACY if as_of < MERGER_DAY else UnitMap.CURRENT
    maps = [map_] if map_ else [preferred, UnitMap.CURRENT if preferred == UnitMap.LEGACY else UnitMap.LEGACY]
    if text.isdigit():
        # Codes are stored as printed by the official lists: "01" and "1" name the same province.
        codes = {text, text.lstrip("0") or "0", text.zfill(2), text.zfill(3), text.zfill(5)}
        candidates = list(AdminUnit.objects.filter(code__in=codes, level__in=levels, map__in=maps))
    else:
        folded = fold(text)
        for prefix in _PREFIXES:
            if folded.startswith(prefix):
                folded = folded[len(prefix) :]
        names = [folded, *(p + folded for p in _PREFIXES)]
        candidates = list(AdminUnit.objects.filter(folded_name__in=names, level__in=levels, map__in=maps))
    for map_name in maps:
        for level in levels:
            found = sorted((u for u in candidates if u.map == map_name and u.level == level), key=lambda u: u.pk)
            if found:
                return found[0]
    return None


def parse(data: Any, *, default_day: dt.date | None = None) -> StatsFilter:
    """A filter from GET parameters; raises FilterError with every problem found (translated)."""
    errors: list[str] = []
    as_of_text = (data.get("as_of") or "").strip()
    as_of = default_day or clock.today()
    if as_of_text:
        parsed = _parse_date(as_of_text)
        if parsed is None:
            errors.append(_("“%(value)s” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.") % {"value": as_of_text})
        elif parsed < EARLIEST or parsed > dt.date(2100, 12, 31):
            errors.append(_("The date must lie between 2000 and 2100."))
        else:
            as_of = parsed
    map_ = (data.get("map") or "").strip()
    if map_ and map_ not in UnitMap.values:
        errors.append(_("Unknown map “%(value)s”: use “current” or “legacy”.") % {"value": map_})
        map_ = ""
    star = _choice_int(data, "star", STARS, errors, _("The rating must be 3, 4 or 5 stars."))
    category = _positive(data, "category", errors)
    group = _positive(data, "group", errors)
    product_set = _positive(data, "set", errors)
    year = _positive(data, "year", errors)
    if year is not None and not 1990 <= year <= 2100:
        errors.append(_("“%(value)s” is not a valid value for %(field)s.") % {"value": year, "field": "year"})
        year = None
    kind = (data.get("kind") or "").strip()
    if kind and kind not in ProducerKind.values:
        errors.append(_("Unknown type of producer “%(value)s”.") % {"value": kind})
        kind = ""
    status = (data.get("status") or "").strip()
    if status and status not in STATUSES:
        errors.append(_("Unknown certificate status “%(value)s”.") % {"value": status})
        status = ""
    area_text = (data.get("area") or "").strip()[:120]
    area = None
    if area_text and not errors:
        area = resolve_area(area_text, as_of=as_of, map_=map_)
        if area is None:
            raise AreaNotFound([_("No province, district or commune matches “%(value)s”.") % {"value": area_text}])
    sub = None
    sub_text = (data.get("sub") or "").strip()[:120]
    sub_map = (data.get("sub_map") or "").strip()
    if sub_map and sub_map not in UnitMap.values:
        errors.append(_("Unknown map “%(value)s”: use “current” or “legacy”.") % {"value": sub_map})
    elif sub_text and not errors:
        sub = resolve_area(sub_text, as_of=as_of, map_=sub_map)
        if sub is None:
            raise AreaNotFound([_("No province, district or commune matches “%(value)s”.") % {"value": sub_text}])
    if errors:
        raise FilterError(errors)
    return StatsFilter(
        sub=sub,
        as_of=as_of,
        area=area,
        area_text=area_text,
        map=map_,
        star=star,
        category=category,
        group=group,
        product_set=product_set,
        kind=kind,
        year=year,
        status=status,
        explicit_date=bool(as_of_text),
    )


def _positive(data: Any, key: str, errors: list[str]) -> int | None:
    text = (data.get(key) or "").strip()
    if not text:
        return None
    value = _int(text)
    if value is None or value <= 0 or value > 10_000_000:
        errors.append(_("“%(value)s” is not a valid value for %(field)s.") % {"value": text[:40], "field": key})
        return None
    return value


def _choice_int(data: Any, key: str, choices: tuple[int, ...], errors: list[str], message: str) -> int | None:
    text = (data.get(key) or "").strip()
    if not text:
        return None
    value = _int(text)
    if value not in choices:
        errors.append(message)
        return None
    return value


# --- Filters as querysets ----------------------------------------------------------------------
def area_q(unit: AdminUnit | None, prefix: str = "", producer_path: str | None = None) -> Q:
    """Rows lying in `unit`: products (`prefix` ""), rows pointing to a product (`prefix` "product__"), or
    rows reached through a producer (`producer_path` "lot__producer__", "" for producers themselves).

    Present-day units hold what lies in them today; former units hold the
    records made under them (the producer keeps the unit it registered under).
    """
    if unit is None:
        return Q()
    # A product carries copies of its producer's present-day province and commune (one table to filter).
    here = prefix if producer_path is None else producer_path
    registered = f"{prefix}producer__commune" if producer_path is None else f"{producer_path}commune"
    if unit.map == UnitMap.CURRENT:
        if unit.level == UnitLevel.PROVINCE:
            return Q(**{f"{here}province_id": unit.pk})
        return Q(**{f"{here}current_commune_id": unit.pk})
    if unit.level == UnitLevel.PROVINCE:
        return Q(**{f"{registered}__province_id": unit.pk})
    if unit.level == UnitLevel.DISTRICT:
        return Q(**{f"{registered}__parent_id": unit.pk})
    return Q(**{f"{registered}_id": unit.pk})


def product_q(f: StatsFilter, prefix: str = "") -> Q:
    """Every filter that is a property of the product (not of its certificates)."""
    q = area_q(f.area, prefix) & area_q(f.sub, prefix)
    if f.category:
        q &= Q(**{f"{prefix}product_set__group__category_id": f.category})
    if f.group:
        q &= Q(**{f"{prefix}product_set__group_id": f.group})
    if f.product_set:
        q &= Q(**{f"{prefix}product_set_id": f.product_set})
    if f.kind:
        q &= Q(**{f"{prefix}producer__kind": f.kind})
    return q
