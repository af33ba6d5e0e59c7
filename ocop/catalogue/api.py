"""The public catalogue endpoints of the API, mounted at /api/v1/.

    GET /api/v1/products?q=&star=&province=&page=   public products, 20 a page: {"count": N, "items": [...]}
    GET /api/v1/products/{id}                       one public product
    GET /api/v1/producers/{id}                      one producer's public profile

Partner systems depend on the shape of `ProductItem`: fields are only ever added to it. Only public data:
the same products as the catalogue (querysets.public_products) and only a producer's public fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from ocop.api.schemas import Error
from ocop.catalogue import filters
from ocop.catalogue.forms import LEGACY_PREFIX, PAGE_SIZE, find_unit
from ocop.catalogue.models import ShopLink
from ocop.catalogue.querysets import counted_page, public_page, public_producers, public_products
from ocop.geo.models import AdminUnit
from ocop.lib.text import fold
from ocop.registry.models import Product, ProductPhoto

router = Router(tags=["catalogue"])

MAX_ID = 2**31 - 1
ProductId = Annotated[int, Path(ge=1, le=MAX_ID, description="The product's id.")]
ProducerId = Annotated[int, Path(ge=1, le=MAX_ID, description="The producer's id.")]


class InvalidInput(Error):
    errors: list[dict[str, Any]] = []


class ProductItem(Schema):
    id: int
    code: str | None = Field(description="OCOP product code (T)-(X)-(STT)-(year), when assigned.")
    name: str
    url: str = Field(description="Absolute address of the product's public page.")
    star: int | None = Field(description="OCOP stars of the certificate in force today; null when none is.")
    certificate_status: str = Field(description="valid, expiring, extended or expired (never revoked: not public).")
    certificate_star: int = Field(description="Stars of the certificate shown (expired or in force).")
    certificate_number: str
    certificate_issued_on: dt.date
    certificate_expires_on: dt.date
    certificate_extended_until: dt.date | None
    producer: str
    producer_id: int
    producer_url: str
    province: str = Field(description="Present-day province (since 1 July 2025).")
    province_code: str
    commune: str | None = Field(description="Present-day commune or ward, when known.")
    commune_code: str | None
    registered_under: str | None = Field(
        description="The former unit (before 1 July 2025) the producer was registered under, if any."
    )
    product_set: str
    product_set_number: int
    category: str


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProductItem]


class ShopLinkOut(Schema):
    channel: str
    channel_name: str
    url: str = Field(description="The catalogue's counted redirect to the shop.")
    product_only: bool


class CertificateOut(Schema):
    star: int
    number: str
    issued_on: dt.date
    expires_on: dt.date
    extended_until: dt.date | None


class ProductDetail(ProductItem):
    description: str
    story: str
    specifications: str
    gtin: str
    images: list[str]
    shop_links: list[ShopLinkOut]


class ProducerProduct(Schema):
    id: int
    name: str
    star: int | None
    certificate_status: str
    url: str


class ProducerOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    url: str
    province: str
    province_code: str
    commune: str | None
    commune_code: str | None
    registered_under: str | None
    website: str
    founded_on: dt.date | None
    members_count: int | None
    workers_count: int | None
    products: list[ProducerProduct]
    shop_links: list[ShopLinkOut]


class ProductQuery(Schema):
    q: str | None = Field(None, max_length=200, description="Search text; accents and case are ignored.")
    star: int | None = Field(None, ge=3, le=5, description="Only products whose certificate in force has these stars.")
    province: str | None = Field(
        None,
        max_length=100,
        description='Province code or name, present-day ("24", "Bắc Ninh") or former ("old-24", "Bắc Giang").',
    )
    page: int = Field(1, ge=1, le=100_000, description=f"1-based page number; {PAGE_SIZE} items a page.")


def _find_province(text: str) -> AdminUnit | None:
    """A province by code ("24", "old-24") or name, either map; a present-day one wins a tie."""
    text = text.strip()
    if text.isdigit() or text.startswith(LEGACY_PREFIX):
        return find_unit(text, "province")
    name = fold(text)
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        name = name.removeprefix(prefix)
    if not name:
        return None
    candidates = AdminUnit.objects.provinces().filter(folded_name__in=[name, f"tinh {name}", f"thanh pho {name}"])
    return candidates.order_by("map").first()  # "current" sorts before "legacy"


def _absolute(request: HttpRequest, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def _item(request: HttpRequest, p: Any) -> dict[str, Any]:
    registered = p.producer.commune
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "url": _absolute(request, "catalogue:product", p.pk),
        "star": p.best_star,
        "certificate_status": p.certificate_status,
        "certificate_star": p.certificate_star,
        "certificate_number": p.certificate_number,
        "certificate_issued_on": p.certificate_issued_on,
        "certificate_expires_on": p.certificate_expires_on,
        "certificate_extended_until": p.certificate_extended_until,
        "producer": p.producer.name,
        "producer_id": p.producer_id,
        "producer_url": _absolute(request, "catalogue:producer", p.producer_id),
        "province": p.province.name,
        "province_code": p.province.code,
        "commune": p.current_commune.name if p.current_commune else None,
        "commune_code": p.current_commune.code if p.current_commune else None,
        "registered_under": None if registered.is_current else registered.full_name(),
        "product_set": p.product_set.name,
        "product_set_number": p.product_set.number,
        "category": p.product_set.group.category.name,
    }


def _products(products: Any = None) -> Any:
    """`products` (default: the public ones, annotated) with what an item shows of their producer and places."""
    return (public_products() if products is None else products).select_related(
        "producer__commune__parent__parent",
        "province",
        "current_commune",
        "product_set__group__category",
    )


def _page(ids: list[int]) -> list[Any]:
    return public_page(_products(Product.objects.all()), ids)


def _links(request: HttpRequest, links: Any) -> list[dict[str, Any]]:
    return [
        {
            "channel": link.channel,
            "channel_name": str(link.get_channel_display()),
            "url": _absolute(request, "catalogue:shop_link_go", link.pk),
            "product_only": link.product_id is not None,
        }
        for link in links
    ]


@router.get(
    "/products",
    response={200: ProductPage, 400: Error, 422: InvalidInput},
    url_name="catalogue_products",
    summary="Search the public catalogue",
)
def product_list(request: HttpRequest, params: Query[ProductQuery]) -> Any:
    """Public OCOP products, best match first when `q` is given, else highest rating first; 20 a page."""
    for value in (params.q, params.province):
        if value and "\x00" in value:
            return Status(400, {"detail": _("The request contains a null character."), "code": "invalid"})
    data: dict[str, Any] = {"q": (params.q or "").strip(), "star": params.star}
    if params.province and params.province.strip():
        unit = _find_province(params.province)
        if unit is None:
            detail = _("There is no province “%(name)s”.") % {"name": params.province.strip()[:100]}
            return Status(400, {"detail": detail, "code": "unknown_province"})
        data["province"] = unit
    queryset = filters.filter_and_order(public_products(), data)
    start = (params.page - 1) * PAGE_SIZE
    page, count = counted_page(queryset, start, PAGE_SIZE, rows=_page, together=not filters.read_in_order(queryset))
    return {
        "count": count,
        "page": params.page,
        "page_size": PAGE_SIZE,
        "items": [_item(request, product) for product in page],
    }


@router.get(
    "/products/{product_id}",
    response={200: ProductDetail, 404: Error, 422: InvalidInput},
    url_name="catalogue_product",
    summary="One public product",
)
def product_detail(request: HttpRequest, product_id: ProductId) -> Any:
    """A public product with its texts, images and shop links; 404 for any product that is not public."""
    product = _products().filter(pk=product_id).first()
    if product is None:
        return Status(404, {"detail": _("There is no public product with this id."), "code": "not_found"})
    photos = ProductPhoto.objects.filter(product=product).order_by("position", "pk").values_list("pk", flat=True)
    links = ShopLink.objects.public().filter(producer_id=product.producer_id)
    links = links.filter(Q(product__isnull=True) | Q(product=product)).order_by("channel", "pk")
    return {
        **_item(request, product),
        "description": product.description,
        "story": product.story,
        "specifications": product.specifications,
        "gtin": product.gtin,
        "images": [_absolute(request, "catalogue:photo", pk) for pk in photos],
        "shop_links": _links(request, links),
    }


@router.get(
    "/producers/{producer_id}",
    response={200: ProducerOut, 404: Error, 422: InvalidInput},
    url_name="catalogue_producer",
    summary="A producer's public profile",
)
def producer_detail(request: HttpRequest, producer_id: ProducerId) -> Any:
    """Public fields only: never a phone number, an e-mail, a street address or the representative."""
    producer = (
        public_producers()
        .select_related("commune__parent__parent", "current_commune", "province")
        .filter(pk=producer_id)
        .first()
    )
    if producer is None:
        return Status(404, {"detail": _("There is no public producer with this id."), "code": "not_found"})
    products = public_products().filter(producer=producer)
    products = filters.order(products, None, searched=False)
    registered = producer.commune
    return {
        "id": producer.pk,
        "name": producer.name,
        "kind": producer.kind,
        "kind_label": str(producer.get_kind_display()),
        "url": _absolute(request, "catalogue:producer", producer.pk),
        "province": producer.province.name,
        "province_code": producer.province.code,
        "commune": producer.current_commune.name if producer.current_commune else None,
        "commune_code": producer.current_commune.code if producer.current_commune else None,
        "registered_under": None if registered.is_current else registered.full_name(),
        "website": producer.website,
        "founded_on": producer.founded_on,
        "members_count": producer.members_count,
        "workers_count": producer.workers_count,
        "products": [
            {
                "id": p.pk,
                "name": p.name,
                "star": p.best_star,
                "certificate_status": p.certificate_status,
                "url": _absolute(request, "catalogue:product", p.pk),
            }
            for p in products
        ],
        "shop_links": _links(request, ShopLink.objects.public().filter(producer=producer, product__isnull=True)),
    }
