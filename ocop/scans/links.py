"""Addresses of what the resolver serves, and the GS1 linkset that lists them (RFC 9264).

A GS1 Digital Link resolver answers ``?linkType=all`` (or ``Accept: application/linkset+json``) with the
links it knows for the identifier: a JSON document ``{"linkset": [{"anchor": <identifier URI>, <link
type>: [{"href": …, "title": …, "type": …, "hreflang": […]}, …]}]}``, link types written as full GS1
vocabulary URIs. ``?linkType=gs1:pip`` (any type listed) redirects to that link.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from ocop.scans.pagecache import marker
from ocop.scans.resolver import LOT, STAMP, Resolution
from ocop.stamps.models import Stamp

GS1 = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"
HTML = "text/html"
LANGUAGES = ["vi", "en"]


def product_path(gtin14: str) -> str:
    return reverse("scans:gs1", args=[gtin14])


def lot_path(gtin14: str, lot_number: str) -> str:
    return reverse("scans:gs1", args=[f"{gtin14}/10/{lot_number}"])


def stamp_path(resolution: Resolution) -> str:
    """The canonical identity of a resolved stamp: Digital Link with a GTIN, else the short form."""
    return address_of(resolution.found)


def address_of(stamp: Any) -> str:
    """The address a stamp answers at: Digital Link with the GTIN printed on its batch, else the short form."""
    batch = stamp.batch
    if batch.gtin:
        return reverse("scans:gs1", args=[f"{batch.gtin}/10/{batch.lot.number}/21/{stamp.serial}"])
    return reverse("scans:short", args=[stamp.serial])


def address_parts(batch: Any) -> tuple[str, str]:
    """The address of the stamps of `batch` as (what comes before the serial, what comes after it)."""
    head, tail = address_of(Stamp(batch=batch, serial=marker("serial"))).split(marker("serial"))
    return head, tail


def anchor_path(resolution: Resolution) -> str:
    product = resolution.product
    if resolution.kind == STAMP:
        return stamp_path(resolution)
    if resolution.kind == LOT:
        return lot_path(product.gtin.zfill(14), resolution.lot.number)
    return product_path(product.gtin.zfill(14))


def walk_up_path(resolution: Resolution) -> str | None:
    """The less specific identifier a failed look-up walks up to (lot, else product), when there is one."""
    product, lot = resolution.product, resolution.lot
    if product is None or not product.gtin:
        return None
    if lot is not None and resolution.kind == STAMP:
        return lot_path(product.gtin.zfill(14), lot.number)
    return product_path(product.gtin.zfill(14))


def links(
    request: HttpRequest, resolution: Resolution, certificate: Any, in_force: bool
) -> dict[str, list[dict[str, Any]]]:
    """Link type (GS1 vocabulary URI) → targets, for a resolved identifier."""
    absolute = request.build_absolute_uri
    product = resolution.product
    here = absolute(anchor_path(resolution))
    found: dict[str, list[dict[str, Any]]] = {
        f"{GS1}defaultLink": [{"href": here, "title": product.name, "type": HTML, "hreflang": LANGUAGES}],
    }
    if product.gtin:
        found[f"{GS1}pip"] = [
            {
                "href": absolute(product_path(product.gtin.zfill(14))),
                "title": _("Product information: %(name)s") % {"name": product.name},
                "type": HTML,
                "hreflang": LANGUAGES,
            }
        ]
    if certificate is not None:
        found[f"{GS1}certificationInfo"] = [
            {
                "href": absolute(certificate.get_verify_url()),
                "title": _("OCOP certificate and its status"),
                "type": HTML,
                "hreflang": LANGUAGES,
            }
        ]
    trace: list[dict[str, Any]] = []
    lot = resolution.lot
    if lot is not None and product.gtin:
        trace.append(
            {
                "href": absolute(lot_path(product.gtin.zfill(14), lot.number)),
                "title": _("Lot %(lot)s and its trace events") % {"lot": lot.number},
                "type": HTML,
                "hreflang": LANGUAGES,
            }
        )
    elif lot is not None:
        trace.append({"href": here, "title": _("Trace events"), "type": HTML, "hreflang": LANGUAGES})
    if lot is not None and in_force:
        # The public EPCIS 2.0 document of the lot (served for products with a certificate in force).
        trace.append(
            {
                "href": absolute(reverse("api:lot_epcis", kwargs={"lot_id": lot.pk})),
                "title": _("Trace events (EPCIS 2.0)"),
                "type": "application/ld+json",
            }
        )
    if trace:
        found[f"{GS1}traceability"] = trace
    if resolution.kind == STAMP:
        found[f"{GS1}verificationService"] = [
            {"href": here, "title": _("Is this a genuine OCOP stamp?"), "type": HTML, "hreflang": LANGUAGES}
        ]
    return found


def linkset(request: HttpRequest, resolution: Resolution, certificate: Any, in_force: bool) -> dict[str, Any]:
    anchor = request.build_absolute_uri(anchor_path(resolution))
    return {"linkset": [{"anchor": anchor, **links(request, resolution, certificate, in_force)}]}


def link_type(value: str) -> str | None:
    """ "gs1:pip" or the full URI → the full URI; None for anything else."""
    value = (value or "").strip()
    if value.startswith("gs1:"):
        return GS1 + value[4:]
    if value.startswith(GS1):
        return value
    return None
