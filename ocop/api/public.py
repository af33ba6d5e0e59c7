"""Public read endpoints: the certificate register, one certificate by its verification token, revocations, and
stamp verification. Public fields only, the same as the public pages (ocop/certificates, ocop/scans).

    GET /api/v1/certificates                       the register, filtered like the register page
    GET /api/v1/certificates/{verify_token}        one certificate, as its public verification page shows it
    GET /api/v1/revocations                        revocation decisions, newest first
    GET /api/v1/stamps/verify?code=<scanned text>  is this a genuine, activated OCOP stamp?
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from ocop.api.common import MAX_ID, PageParams, invalid_form, not_found, paginate
from ocop.api.schemas import (
    CertificateDetailOut,
    CertificatePage,
    ErrorOut,
    RevocationPage,
    StampVerificationOut,
)
from ocop.certificates.forms import RegisterFilterForm
from ocop.certificates.models import IN_FORCE, Certificate, CertificateStatus, Revocation
from ocop.lib import clock

router = Router()


def certificate_data(request: HttpRequest, certificate: Certificate, today: dt.date) -> dict[str, Any]:
    status = certificate.status_on(today)
    product = certificate.product
    return {
        "number": certificate.number,
        "star": certificate.star,
        "status": str(status),
        "status_label": str(CertificateStatus(status).label),
        "in_force": status in IN_FORCE,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "extended_until": certificate.extended_until,
        "revoked_on": certificate.revoked_on,
        "issuing_body": certificate.issuing_body,
        "decision_number": certificate.decision_number,
        "decision_date": certificate.decision_date,
        "product": product.name,
        "producer": product.producer.name,
        "province": product.province.name,
        "verify_token": certificate.verify_token,
        "verify_page": request.build_absolute_uri(certificate.get_verify_url()),
        "url": request.build_absolute_uri(reverse("api:certificate_detail", args=[certificate.verify_token])),
    }


def revocation_data(request: HttpRequest, revocation: Revocation) -> dict[str, Any]:
    certificate = revocation.certificate
    product = certificate.product
    return {
        "certificate_number": certificate.number,
        "certificate_url": request.build_absolute_uri(
            reverse("api:certificate_detail", args=[certificate.verify_token])
        ),
        "star": certificate.star,
        "product": product.name,
        "producer": product.producer.name,
        "province": product.province.name,
        "ground": revocation.ground,
        "ground_label": str(revocation.get_ground_display()),
        "finding_date": revocation.finding_date,
        "decision_number": revocation.decision_number,
        "decision_date": revocation.decision_date,
        "revoked_on": certificate.revoked_on,
    }


class CertificateFilters(PageParams):
    q: str = Field("", max_length=100, description="Words of the product's or producer's name (accents optional).")
    status: Literal["", "in_force", "expiring", "extended", "expired", "revoked"] = ""
    star: int | None = Field(None, ge=3, le=5, description="3, 4 or 5 stars.")
    province: int | None = Field(None, ge=1, le=MAX_ID, description="Id of a province, current or former.")
    year: int | None = Field(None, ge=1900, le=9999, description="Year of issue.")


@router.get(
    "/certificates",
    response={200: CertificatePage, 422: ErrorOut},
    url_name="certificate_list",
    tags=["certificates"],
)
def certificate_list(request: HttpRequest, filters: Query[CertificateFilters]) -> Any:
    """The public register of OCOP certificates (in force, expired and revoked), filtered like the register page."""
    from ocop.certificates.views import _register_queryset

    data = {
        "q": filters.q,
        "status": filters.status,
        "star": filters.star or "",
        "province": filters.province or "",
        "year": filters.year or "",
    }
    form = RegisterFilterForm(data)
    if not form.is_valid():
        return invalid_form(form, "query")
    today = clock.today()
    certificates = _register_queryset(form, today).select_related("product__producer", "product__province")
    certificates = certificates.order_by("-issued_on", "-pk")
    return paginate(certificates, filters, lambda c: certificate_data(request, c, today))


@router.get(
    "/certificates/{verify_token}",
    response={200: CertificateDetailOut, 404: ErrorOut},
    url_name="certificate_detail",
    tags=["certificates"],
)
def certificate_detail(request: HttpRequest, verify_token: str) -> Any:
    """One certificate by the token printed in its QR code: what its public verification page says."""
    certificate = (
        Certificate.objects.select_related("product__producer", "product__province")
        .filter(verify_token=verify_token[:32])
        .first()
    )
    if certificate is None:
        return not_found()
    today = clock.today()
    newer = (
        Certificate.objects.valid_on(today)
        .filter(product_id=certificate.product_id, issued_on__gt=certificate.issued_on)
        .order_by("-issued_on")
        .first()
    )
    revocation = Revocation.objects.filter(certificate=certificate).first()
    data = certificate_data(request, certificate, today)
    data["revocation"] = revocation_data(request, revocation) if revocation is not None else None
    data["newer_certificate"] = (
        request.build_absolute_uri(reverse("api:certificate_detail", args=[newer.verify_token])) if newer else None
    )
    return data


class RevocationFilters(PageParams):
    since: dt.date | None = Field(None, description="Only decisions dated on or after this day (YYYY-MM-DD).")


@router.get(
    "/revocations",
    response={200: RevocationPage, 422: ErrorOut},
    url_name="revocation_list",
    tags=["certificates"],
)
def revocation_list(request: HttpRequest, filters: Query[RevocationFilters]) -> Any:
    """Decisions revoking an OCOP certificate, newest first. Public: the mark may no longer be used."""
    revocations = Revocation.objects.select_related(
        "certificate__product__producer", "certificate__product__province"
    ).order_by("-decision_date", "-pk")
    if filters.since is not None:
        revocations = revocations.filter(decision_date__gte=filters.since)
    return paginate(revocations, filters, lambda r: revocation_data(request, r))


# --- Stamp verification -------------------------------------------------------------------------------------------
class VerifyQuery(Schema):
    code: str = Field(
        ...,
        min_length=1,
        max_length=512,
        description="The scanned text: a stamp URI (GS1 Digital Link or short form), its path, or a serial.",
    )


def _resolve(code: str) -> Any:
    from ocop.scans.resolver import resolve_gs1, resolve_short

    text = code.strip()
    if "://" in text:
        text = urlsplit(text).path
    text = text.split("#", 1)[0].split("?", 1)[0].strip("/")
    head, _sep, rest = text.partition("/")
    if head == "01":
        return resolve_gs1(rest)
    if head.upper() == "S":
        return resolve_short(rest)
    return resolve_short(text)


def _signature(resolution: Any) -> str:
    """ "verified", "invalid", "missing" (a signed stamp read without its signature) or "" (unsigned stamp)."""
    from ocop.stamps import codes

    parsed, batch = resolution.parsed, resolution.found.batch
    if parsed is None or not parsed.is_signed:
        return "missing" if batch.signed else ""
    key = batch.signing_key
    if not batch.signed or key is None or key.kid != parsed.kid:
        return "invalid"
    public = codes.PublicKey(kid=key.kid, province="", public_key=bytes(key.public_key))
    return "verified" if codes.verify(parsed, {key.kid: public}).ok else "invalid"


REASONS = {
    "malformed": _("This is not an OCOP stamp code."),
    "unknown_product": _("No OCOP product carries this code."),
    "unknown_lot": _("No lot of this product carries this number."),
    "unknown_serial": _("No OCOP stamp has this serial number: it is not genuine."),
    "mismatch": _("This serial belongs to another product or lot: the code was copied."),
    "not_a_stamp": _("This code names a product or a lot, not one stamp."),
    "not_activated": _("This stamp was issued but never activated: it should not be on sale."),
    "voided": _("This stamp was voided."),
    "bad_signature": _("The digital signature of this stamp does not match: it is forged."),
    "missing_signature": _("This stamp was issued signed, but the code read has no signature."),
    "": _("Genuine OCOP stamp."),
}


@router.get(
    "/stamps/verify",
    response={200: StampVerificationOut, 422: ErrorOut},
    url_name="stamp_verify",
    tags=["stamps"],
)
def stamp_verify(request: HttpRequest, query: Query[VerifyQuery]) -> Any:
    """Whether a scanned code is a genuine, activated OCOP stamp, with the product's certificate status.

    Not counted as a consumer's scan: the scan log and clone alerts are for scans of the public scan page.
    """
    from ocop.scans.resolver import certificate_for
    from ocop.stamps.models import StampState

    resolution = _resolve(query.code)
    today = clock.today()
    stamp_data = None
    if not resolution.ok:
        reason = resolution.reason or "malformed"
    elif resolution.kind != "stamp":
        reason = "not_a_stamp"
    else:
        stamp = resolution.found
        signature = _signature(resolution)
        stamp_data = {
            "serial": stamp.serial,
            "state": StampState(stamp.state).name.lower(),
            "state_label": str(StampState(stamp.state).label),
            "signature": signature,
        }
        if stamp.state == StampState.VOIDED:
            reason = "voided"
        elif stamp.state != StampState.ACTIVATED:
            reason = "not_activated"
        elif signature == "invalid":
            reason = "bad_signature"
        elif signature == "missing":
            reason = "missing_signature"
        else:
            reason = ""
    product, lot = resolution.product, resolution.lot
    certificate = certificate_for(product, today) if product is not None else None
    return {
        "genuine": reason == "",
        "reason": reason or "genuine",
        "message": str(REASONS.get(reason, REASONS["malformed"])),
        "stamp": stamp_data,
        "product": product.name if product is not None else None,
        "producer": product.producer.name if product is not None else None,
        "province": product.province.name if product is not None else None,
        "lot": (
            {"number": lot.number, "produced_on": lot.produced_on, "expires_on": lot.expires_on}
            if lot is not None
            else None
        ),
        "certificate": certificate_data(request, certificate, today) if certificate is not None else None,
    }
