"""Load the product taxonomy from its data file, idempotently.

Takes the model classes as arguments so the data migration can pass the
historical models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TAXONOMY_FILE = Path(__file__).parent / "data" / "taxonomy_qd26_2026.json"


def read_taxonomy(path: Path = TAXONOMY_FILE) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    cats = data["categories"]
    groups = [g for c in cats for g in c["groups"]]
    sets = [s for g in groups for s in g["sets"]]
    if (len(cats), len(groups), len(sets)) != (6, 17, 26):
        raise ValueError(f"taxonomy must have 6/17/26 entries, found {len(cats)}/{len(groups)}/{len(sets)}")
    if sorted(s["number"] for s in sets) != list(range(1, 27)):
        raise ValueError("product sets must be numbered 1 to 26")
    return data


def load_taxonomy(ProductCategory: Any, ProductGroup: Any, ProductSet: Any) -> int:
    data = read_taxonomy()
    rulebook = data["rulebook"]
    count = 0
    for c in data["categories"]:
        cat, _ = ProductCategory.objects.update_or_create(
            rulebook=rulebook,
            number=c["number"],
            defaults={"code": c["code"], "name": c["name"], "name_en": c["name_en"]},
        )
        for g in c["groups"]:
            group, _ = ProductGroup.objects.update_or_create(
                category=cat, number=g["number"], defaults={"name": g["name"], "name_en": g["name_en"]}
            )
            for s in g["sets"]:
                ProductSet.objects.update_or_create(
                    group=group, number=s["number"], defaults={"name": s["name"], "name_en": s["name_en"]}
                )
                count += 1
    return count
