"""Helpers for the catalogue's tests (also used by the global authorization table)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from ocop.catalogue.models import Channel, SalesPoint, ShopLink
from ocop.registry.models import ProductPhoto


def make_photo(product: Any, *, caption: str = "") -> ProductPhoto:
    photo = ProductPhoto(
        product=product, content_type="image/jpeg", width=1, height=1, size=1, sha256="d" * 64, caption=caption
    )
    photo.image.save("p.jpg", ContentFile(b"j"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"t"), save=False)
    photo.save()
    return photo


def authorization_objects(world: Any) -> dict[str, Any]:
    """Product A must hold a certificate in force by now (the global table issues one before calling this)."""
    from ocop.catalogue.querysets import public_products
    from ocop.certificates.tests.util import make_certificate

    if not public_products().filter(pk=world.product_a.pk).exists():
        make_certificate(world.product_a, star=4)
    link = ShopLink.objects.create(producer=world.producer_a, channel=Channel.SHOPEE, url="https://shopee.vn/a")
    point = SalesPoint.objects.create(name="Điểm bán OCOP", commune=world.luc_ngan, address="Chợ Chũ")
    point.products.add(world.product_a)
    return {
        "catalogue_product": world.product_a,
        "catalogue_producer": world.producer_a,
        "catalogue_province": (world.bac_ninh.code,),
        "catalogue_commune": (world.luc_ngan.code,),
        "catalogue_photo": make_photo(world.product_a),
        "catalogue_link": link,
        "catalogue_point": point,
    }
