"""The catalogue app's part of the demo (called by ocop.demo.loader.load inside its transaction).

Shop links for the named producers, a product story and specifications where the demo has none, and three
OCOP sales points in Bắc Ninh. Idempotent: rows are found by their natural keys and never duplicated; texts
are only filled where empty, so an edit made since is kept.
"""

from __future__ import annotations

import datetime as dt

# Producer → its shops (channel, address). Made-up addresses on the marketplaces' real domains.
SHOPS: dict[str, list[tuple[str, str]]] = {
    "HTX Nông nghiệp Hồng Xuân": [
        ("shopee", "https://shopee.vn/htx.hongxuan.vaithieu"),
        ("lazada", "https://www.lazada.vn/shop/htx-hong-xuan"),
        ("tiktok", "https://www.tiktok.com/@vaithieuhongxuan"),
        ("postmart", "https://postmart.vn/gian-hang/htx-hong-xuan"),
        ("website", "https://vaithieuhongxuan.example.vn/"),
    ],
    "HTX Sản xuất và Tiêu thụ mỳ Chũ Nam Dương": [
        ("shopee", "https://shopee.vn/mychunamduong"),
        ("voso", "https://voso.vn/gian-hang/my-chu-nam-duong"),
    ],
    "HTX Chăn nuôi và Dịch vụ Đồng Tâm": [("tiki", "https://tiki.vn/cua-hang/ga-doi-yen-the-dong-tam")],
    "HTX Chè Đồng Tiến": [("lazada", "https://www.lazada.vn/shop/che-yen-the-dong-tien")],
    "HTX Na dai Huyền Sơn": [("postmart", "https://postmart.vn/gian-hang/na-dai-huyen-son")],
}

SPECIFICATIONS = {
    "Vải thiều Lục Ngạn": (
        "Quả tươi loại 1: 28–35 quả/kg, cùi dày, hạt nhỏ, độ Brix ≥ 18 %.\n"
        "Quy trình: VietGAP / GlobalGAP; mã số vùng trồng được cấp cho xuất khẩu.\n"
        "Mùa vụ: cuối tháng 5 đến tháng 7. Đóng hộp 2 kg và 5 kg, bảo quản lạnh 2–5 °C."
    ),
    "Mỳ Chũ": (
        "Thành phần: gạo Bao thai Chũ, nước giếng khơi. Không chất bảo quản.\n"
        "Quy cách: gói 500 g và 1 kg. Hạn sử dụng 12 tháng; bảo quản nơi khô ráo."
    ),
    "Gà đồi Yên Thế": (
        "Gà thả đồi, nuôi tối thiểu 120 ngày, trọng lượng 1,8–2,5 kg/con.\n"
        'Có chỉ dẫn địa lý "Yên Thế" cho sản phẩm gà đồi.'
    ),
}

GENERIC_STORY = (
    "{name} là sản phẩm của {producer}, làm từ nguyên liệu của địa phương theo cách làm truyền thống "
    "được gìn giữ qua nhiều thế hệ. Sản phẩm được công nhận OCOP, góp phần nâng cao thu nhập cho người dân "
    "và quảng bá đặc sản quê hương."
)

SALES_POINTS = [
    (
        "Điểm giới thiệu và bán sản phẩm OCOP Lục Ngạn",
        "Xã Lục Ngạn",
        "Ngã tư trung tâm xã, Quốc lộ 31",
        "Thứ Hai – Chủ nhật, 7:00 – 21:00",
    ),
    ("Cửa hàng OCOP Chũ", "Phường Chũ", "Chợ Chũ, đường Thân Nhân Trung", "Hằng ngày, 6:30 – 20:30"),
    (
        "Trung tâm giới thiệu sản phẩm OCOP Bắc Ninh – Bắc Giang",
        "Phường Bắc Giang",
        "Tầng 1, Nhà văn hóa thiếu nhi, đường Nguyễn Văn Cừ",
        "Thứ Hai – Thứ Bảy, 8:00 – 17:30",
    ),
]


def load(*, created: dict[str, int], today: dt.date) -> None:
    """Idempotent: creates what is missing, counts new rows in `created`."""
    from ocop.catalogue.models import SalesPoint, ShopLink
    from ocop.catalogue.querysets import public_products
    from ocop.geo.models import AdminUnit
    from ocop.registry.models import Producer, Product

    producers = {p.name: p for p in Producer.objects.filter(name__in=SHOPS)}
    links = 0
    for name, shops in SHOPS.items():
        producer = producers.get(name)
        if producer is None:
            continue
        for channel, url in shops:
            _, made = ShopLink.objects.get_or_create(producer=producer, channel=channel, url=url)
            links += int(made)
    created["shop_links"] = links

    texts = 0
    demo_products = Product.objects.filter(producer__name__in=SHOPS).select_related("producer")
    for product in demo_products:
        changed = []
        if not product.story:
            product.story = GENERIC_STORY.format(name=product.name, producer=product.producer.name)
            changed.append("story")
        if not product.specifications and product.name in SPECIFICATIONS:
            product.specifications = SPECIFICATIONS[product.name]
            changed.append("specifications")
        if changed:
            product.save(update_fields=[*changed, "updated_at"])
            texts += 1
    created["product_texts"] = texts

    bac_ninh = AdminUnit.objects.current().provinces().filter(folded_name="bac ninh").first()
    if bac_ninh is None:
        return
    communes = {
        u.name: u
        for u in AdminUnit.objects.current()
        .communes()
        .filter(province=bac_ninh, name__in=[commune for _, commune, _, _ in SALES_POINTS])
    }
    # Sold there: the public products of the named producers, plus the area's best-rated ones.
    public = public_products(today).filter(province=bac_ninh)
    sold = list(public.filter(producer__name__in=SHOPS).values_list("pk", flat=True))
    sold += list(public.filter(best_star__gte=4).order_by("pk").values_list("pk", flat=True)[:12])
    points = 0
    for name, commune_name, address, hours in SALES_POINTS:
        commune = communes.get(commune_name)
        if commune is None:
            continue
        point, made = SalesPoint.objects.get_or_create(
            name=name, defaults={"commune": commune, "address": address, "opening_hours": hours}
        )
        if made:
            point.products.set(sorted(set(sold)))
            points += 1
    created["sales_points"] = points
