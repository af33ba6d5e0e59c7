"""Finding the commune a spreadsheet row names, on today's map or the one before July 2025.

Provincial lists name communes as people write them: with or without "Xã" /
"Phường", without accents, and — for anything recorded before the 2025 reform
— under a district and a province that no longer exist. Within the import's
present-day province a row is resolved as follows:

1. a district, or a province that is only a former one (Bắc Giang), means the
   old map; otherwise the present-day communes are tried first, then the old ones;
2. the full name is matched first, then the name without its type, so a
   commune that changed from "Xã" to "Phường" is still found;
3. the district and former province narrow the candidates; several left means
   the row is ambiguous and must say more.
"""

from __future__ import annotations

from collections import defaultdict

from ocop.geo.models import AdminUnit, UnitLevel, UnitMap
from ocop.imports.cells import CellError
from ocop.imports.fields import norm

_COMMUNE_TYPES = ("xa", "phuong", "thi tran", "dac khu")
_DISTRICT_TYPES = ("huyen", "quan", "thi xa", "thanh pho", "tp")
_PROVINCE_TYPES = ("tinh", "thanh pho", "tp")

# Districts created shortly before the reform out of an older one, so a list
# from those years names the older district. The old map in the data is the one
# just before the merger (Thị xã Chũ was carved out of Huyện Lục Ngạn; in 2022
# its communes were still listed under Lục Ngạn). Keyed by the legacy province
# code and the district's name on the old map.
DISTRICT_FORMERLY_PART_OF: dict[tuple[str, str], tuple[str, ...]] = {
    ("24", "Thị xã Chũ"): ("Huyện Lục Ngạn",),
}


def strip_type(name: str, types: tuple[str, ...]) -> str:
    for prefix in types:
        if name.startswith(prefix + " ") and len(name) > len(prefix) + 1:
            return name[len(prefix) + 1 :]
    return name


class CommuneIndex:
    """Every unit of both maps that lies in one present-day province, indexed by folded name."""

    def __init__(self, province: AdminUnit) -> None:
        self.province = province
        self.current_full: dict[str, list[AdminUnit]] = defaultdict(list)
        self.current_bare: dict[str, list[AdminUnit]] = defaultdict(list)
        self.legacy_full: dict[str, list[AdminUnit]] = defaultdict(list)
        self.legacy_bare: dict[str, list[AdminUnit]] = defaultdict(list)
        self.legacy_provinces: dict[str, AdminUnit] = {}
        self.legacy_districts: dict[str, list[AdminUnit]] = defaultdict(list)
        self.district_names: dict[int, set[str]] = {}
        self.by_id: dict[int, AdminUnit] = {}
        self.province_names = {norm(province.name), strip_type(norm(province.name), _PROVINCE_TYPES)}
        self._cache: dict[tuple[str, str, str], AdminUnit] = {}

        for unit in AdminUnit.objects.filter(map=UnitMap.CURRENT, level=UnitLevel.COMMUNE, province=province):
            self._add(unit, self.current_full, self.current_bare)
        legacy = list(AdminUnit.objects.filter(map=UnitMap.LEGACY, successor_province=province))
        units = {u.pk: u for u in legacy}
        for unit in legacy:
            if unit.level == UnitLevel.PROVINCE:
                self.legacy_provinces[strip_type(norm(unit.name), _PROVINCE_TYPES)] = unit
        for unit in legacy:
            if unit.level == UnitLevel.DISTRICT:
                unit.parent = units.get(unit.parent_id)
                names = {strip_type(norm(unit.name), _DISTRICT_TYPES)}
                province_code = unit.parent.code if unit.parent else ""
                for older in DISTRICT_FORMERLY_PART_OF.get((province_code, unit.name), ()):
                    names.add(strip_type(norm(older), _DISTRICT_TYPES))
                self.district_names[unit.pk] = names
                for name in names:
                    self.legacy_districts[name].append(unit)
        for unit in legacy:
            if unit.level == UnitLevel.COMMUNE:
                # Parents are attached from the same query so full_name() and
                # the export need no further queries.
                unit.parent = units.get(unit.parent_id)
                unit.province = units.get(unit.province_id)  # type: ignore[assignment]
                self._add(unit, self.legacy_full, self.legacy_bare)

    def _add(self, unit: AdminUnit, full: dict[str, list[AdminUnit]], bare: dict[str, list[AdminUnit]]) -> None:
        name = norm(unit.name)
        full[name].append(unit)
        bare[strip_type(name, _COMMUNE_TYPES)].append(unit)
        self.by_id[unit.pk] = unit

    def resolve(self, commune: str, district: str = "", province: str = "") -> AdminUnit:
        """The unit named, or CellError(code, column=<field key>) saying which cell is wrong."""
        key = (commune, district, province)
        if key not in self._cache:
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def resolve_current(self, commune: str) -> AdminUnit:
        found = self._pick(self.current_full, self.current_bare, norm(commune))
        if len(found) == 1:
            return found[0]
        if not found:
            raise CellError("commune_unknown", value=commune, province=self.province.name, column="current_commune")
        raise CellError("commune_ambiguous", value=commune, choices=_names(found), column="current_commune")

    @staticmethod
    def _pick(full: dict[str, list[AdminUnit]], bare: dict[str, list[AdminUnit]], name: str) -> list[AdminUnit]:
        return full.get(name) or bare.get(strip_type(name, _COMMUNE_TYPES)) or []

    def _resolve(self, commune: str, district: str, province: str) -> AdminUnit:
        name = norm(commune)
        legacy_only = bool(district)
        former: AdminUnit | None = None
        if province:
            pname = strip_type(norm(province), _PROVINCE_TYPES)
            is_current = pname in self.province_names
            former = self.legacy_provinces.get(pname)
            if not is_current and former is None:
                raise CellError("province_other", value=province, province=self.province.name, column="province")
            if not is_current:
                legacy_only = True
        if not legacy_only:
            found = self._pick(self.current_full, self.current_bare, name)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise CellError("commune_ambiguous", value=commune, choices=_names(found), column="commune")
        districts: set[int] | None = None
        if district:
            dname = strip_type(norm(district), _DISTRICT_TYPES)
            matches = [d for d in self.legacy_districts.get(dname, []) if former is None or d.parent_id == former.pk]
            if not matches:
                raise CellError("district_unknown", value=district, province=self.province.name, column="district")
            districts = {d.pk for d in matches}
        candidates: list[AdminUnit] = []
        for index in (self.legacy_full, self.legacy_bare):
            key = name if index is self.legacy_full else strip_type(name, _COMMUNE_TYPES)
            candidates = [
                u
                for u in index.get(key, [])
                if (former is None or u.province_id == former.pk) and (districts is None or u.parent_id in districts)
            ]
            if candidates:
                break
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            where = district or province or self.province.name
            raise CellError("commune_unknown", value=commune, province=where, column="commune")
        raise CellError("commune_ambiguous", value=commune, choices=_names(candidates), column="commune")


def _names(units: list[AdminUnit]) -> str:
    parts = []
    for unit in units[:5]:
        parent = unit.parent
        parts.append(f"{unit.name}, {parent.name}" if parent is not None and unit.map == UnitMap.LEGACY else unit.name)
    return "; ".join(parts)
