"""The stats app's part of the demo (called by ocop.demo.loader.load inside its transaction)."""

from __future__ import annotations

import datetime as dt

BAC_GIANG_PLAN = "Kế hoạch thực hiện Chương trình OCOP tỉnh Bắc Giang đến năm 2030 (dữ liệu demo)"


def load(*, created: dict[str, int], today: dt.date) -> None:
    """Idempotent: creates what is missing, counts new rows in `created`.

    Bắc Giang's plan (350–400 products by 2030, 3–5 of them at 5★) stays the
    former province's plan: its progress is counted on the products registered
    there.
    """
    from ocop.geo.models import AdminUnit
    from ocop.stats.cache import changed
    from ocop.stats.models import ProvinceTarget

    # The demo's producers, products and certificates were written just before, with bulk_create (no model
    # signal), in this transaction: the statistics kept so far count none of them.
    changed()
    bac_giang = AdminUnit.objects.legacy().provinces().filter(name="Bắc Giang").first()
    if bac_giang is None:
        return
    _, made = ProvinceTarget.objects.get_or_create(
        province=bac_giang,
        year=2030,
        defaults={
            "products_target_min": 350,
            "products_target_max": 400,
            "five_star_target_min": 3,
            "five_star_target_max": 5,
            "source": BAC_GIANG_PLAN,
        },
    )
    created["targets"] = created.get("targets", 0) + int(made)
