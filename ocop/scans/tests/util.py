"""Helpers for tests that need stamps to scan (also used by the global authorization table)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from ocop.scans import links
from ocop.stamps import actions as stamp_actions

# A valid GTIN-13 under Vietnam's GS1 prefix 893, and another one nobody uses.
GTIN = "8930000000019"
GTIN14 = "0" + GTIN
OTHER_GTIN14 = "08939999999991"

# Coarse positions, as the scan page's script sends them (0.1 degree).
HA_NOI = (21.0, 105.8)
HO_CHI_MINH = (10.8, 106.7)
BAC_NINH = (21.2, 106.1)


def stamped(
    product, *, count: int = 5, signed: bool = False, activate: bool = True, gtin: str | None = GTIN, **lot_fields
):
    """A certified lot of `product` (given a GTIN first unless `gtin` is None) and a batch of its stamps."""
    from ocop.stamps.tests.util import make_batch

    if gtin is not None and product.gtin != gtin:
        product.gtin = gtin
        product.save()
    batch = make_batch(product, count=count, signed=signed, **lot_fields)
    assert batch.status == "ready", batch.error
    if activate:
        stamp_actions.activate(batch)
    return batch, list(batch.stamps.order_by("seq"))


def path_of(stamp) -> str:
    return links.address_of(stamp)


def printed_path(stamp) -> str:
    """The path printed in the stamp's QR code (with the signature for a signed batch), without the host."""
    uri = stamp_actions.uri_maker(stamp.batch)(stamp.serial)
    return "/" + uri.split("://", 1)[1].split("/", 1)[1]


def scan(path: str, *, ip: str = "198.51.100.7", ua: str = "Mozilla/5.0 (Linux; Android 14) Test", **extra: Any):
    """A fresh consumer's phone opening `path` (a new client: no cookie from earlier scans)."""
    return Client().get(path, REMOTE_ADDR=ip, HTTP_USER_AGENT=ua, **extra)


def place_token_of(response) -> str:
    return response.context["place_token"]


def authorization_objects(world) -> dict[str, Any]:
    """The objects the global authorization table needs for the scan URLs.

    A batch of activated stamps of producer A's product (with a GTIN, so its stamps are Digital Link), one
    public photo of that product, and an open alert on it (a voided stamp that was scanned).
    """
    from django.core.files.base import ContentFile

    from ocop.registry.models import ProductPhoto
    from ocop.scans.models import Alert

    batch, stamps = stamped(world.product_a, count=3, number="SCAN-AUTH-1")
    stamp_actions.void(batch, first=3, last=3, reason="Tem in lỗi")
    scan(path_of(stamps[2]))
    photo = ProductPhoto(product=world.product_a, content_type="image/jpeg", width=1, height=1, size=1, sha256="c" * 64)
    photo.image.save("p.jpg", ContentFile(b"j"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"t"), save=False)
    photo.save()
    return {
        "scan_gs1": (path_of(stamps[0]).removeprefix("/01/"),),
        "scan_short": (stamps[1].serial,),
        "scan_photo": photo,
        "scan_alert": Alert.objects.get(stamp=stamps[2]),
    }
