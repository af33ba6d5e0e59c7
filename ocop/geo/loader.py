"""Load both administrative maps into AdminUnit, idempotently.

Used by the data migration (with historical models) and by the
`load_reference` command; it takes the model class as an argument for that
reason. Current units come from the installed `vietnam-provinces` 2025.x
package; the legacy map from the data file generated from its 0.6 line
(scripts/build_legacy_map.sh).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from ocop.lib.text import fold

DATA = Path(__file__).parent / "data"


def _strip_prefix(name: str) -> str:
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _legacy_successors() -> dict[str, str]:
    table = json.loads((DATA / "province_merger_2025.json").read_text(encoding="utf-8"))["successors"]
    mapping: dict[str, str] = {}
    for current, legacy_codes in table.items():
        for code in legacy_codes:
            mapping[code] = current
    return mapping


def _differs(unit: Any, name: str, value: Any) -> bool:
    # Foreign keys are compared by id: reading `unit.parent` would fetch the
    # parent row, one query per unit (tens of thousands on a re-run).
    if name in ("parent", "province", "successor_province"):
        return getattr(unit, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(unit, name) != value


def load_units(AdminUnit: Any) -> dict[str, int]:
    """Create or update every unit of both maps. Returns counts per map/level."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    existing = {(u.map, u.level, u.code): u for u in AdminUnit.objects.all()}
    to_create: list[Any] = []
    to_update: list[Any] = []

    def upsert(map_: str, level: str, code: str, name: str, dtype: str, **links: Any) -> Any:
        unit = existing.get((map_, level, code))
        fields = {"name": name, "division_type": dtype, "folded_name": fold(name), **links}
        if unit is None:
            unit = AdminUnit(map=map_, level=level, code=code, **fields)
            to_create.append(unit)
            existing[(map_, level, code)] = unit
        elif any(_differs(unit, k, v) for k, v in fields.items()):
            for k, v in fields.items():
                setattr(unit, k, v)
            to_update.append(unit)
        return unit

    def flush() -> None:
        # Provinces must exist before children point to them, so the tree is
        # written level by level.
        AdminUnit.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            AdminUnit.objects.bulk_update(
                to_update,
                ["name", "division_type", "folded_name", "parent", "province", "successor_province"],
                batch_size=1000,
            )
        to_create.clear()
        to_update.clear()

    current = json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    provinces = {}
    for p in current:
        provinces[str(p["code"])] = upsert("current", "province", str(p["code"]), p["name"], p["division_type"])
    flush()
    for unit in provinces.values():
        if unit.province_id is None or unit.successor_province_id is None:
            unit.province = unit
            unit.successor_province = unit
            to_update.append(unit)
    flush()
    for p in current:
        prov = provinces[str(p["code"])]
        for w in p["wards"]:
            upsert(
                "current",
                "commune",
                str(w["code"]),
                w["name"],
                w["division_type"],
                parent=prov,
                province=prov,
                successor_province=prov,
            )
    flush()

    with gzip.open(DATA / "legacy_map.json.gz", "rt", encoding="utf-8") as fh:
        legacy = json.load(fh)["provinces"]
    successors = _legacy_successors()
    if len(legacy) != 63 or set(successors) != {str(p["code"]) for p in legacy}:
        raise ValueError("the province merger table does not cover the 63 legacy provinces")
    old_provinces = {}
    for p in legacy:
        code = str(p["code"])
        old_provinces[code] = upsert(
            "legacy",
            "province",
            code,
            _strip_prefix(p["name"]),
            p["type"],
            successor_province=provinces[successors[code]],
        )
    flush()
    for unit in old_provinces.values():
        if unit.province_id is None:
            unit.province = unit
            to_update.append(unit)
    flush()
    districts = {}
    for p in legacy:
        prov = old_provinces[str(p["code"])]
        for d in p["districts"]:
            districts[str(d["code"])] = upsert(
                "legacy",
                "district",
                str(d["code"]),
                d["name"],
                d["type"],
                parent=prov,
                province=prov,
                successor_province=prov.successor_province,
            )
    flush()
    for p in legacy:
        prov = old_provinces[str(p["code"])]
        for d in p["districts"]:
            dist = districts[str(d["code"])]
            for code, name, dtype in d["communes"]:
                upsert(
                    "legacy",
                    "commune",
                    str(code),
                    name,
                    dtype,
                    parent=dist,
                    province=prov,
                    successor_province=prov.successor_province,
                )
    flush()
    counts: dict[str, int] = {}
    for row in AdminUnit.objects.values_list("map", "level"):
        key = f"{row[0]}/{row[1]}"
        counts[key] = counts.get(key, 0) + 1
    return counts
