"""The tables of the open data: which rows are public, which columns, and what changed since a moment.

"Public" is the catalogue's definition (`ocop.catalogue.querysets.public_products()` / `public_producers()`),
so a product the catalogue hides (a draft, an unverified producer, a revoked certificate) is never exported.
Certificates and revocations are the public register (the register page and the verification page show them).
Columns are public fields only: never a producer's phone, e-mail, street or representative (rep_*), never a
user. Values are plain (ISO dates, codes with their label beside them) so the files are read by machines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.lib import clock

# How many rows are read from the database at a time while a file streams.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[Any], Any]
    description: str | Promise = ""


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    # The public rows, changed at or after `since` when given, in a stable order.
    query: Callable[[dt.datetime | None], QuerySet[Any]]
    # When the table last changed (for dct:modified).
    modified: Callable[[], dt.datetime | None]

    def rows(self, since: dt.datetime | None = None) -> Iterator[list[Any]]:
        for obj in self.query(since).iterator(chunk_size=CHUNK):
            yield [column.value(obj) for column in self.columns]

    @property
    def headers(self) -> list[str]:
        return [column.name for column in self.columns]


def parse_since(text: str) -> dt.datetime:
    """`modified_since` as an aware moment: a day (its start, in the platform's time zone) or an ISO date-time.

    Raises ValueError with a message for the person who typed it.
    """
    text = (text or "").strip()
    problem = _(
        "“%(value)s” is not a date or a date and time: write it as 2026-03-31 or 2026-03-31T08:00:00+07:00."
    ) % {"value": text[:40]}
    if not text or len(text) > 40:
        raise ValueError(problem)
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day, dt.time.min)
        else:
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise ValueError(problem) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


# --- Which certificates changed: made since, or any audited change (revocation, extension) -----------------------
def _certificates_changed_since(since: dt.datetime) -> Q:
    from ocop.audit.models import AuditEvent

    audited = AuditEvent.objects.filter(model="certificates.Certificate", at__gte=since)
    # A revocation or an extension is a save of the certificate, so it is in the audit log at the moment it
    # was made (revoked_on is only a day: it would bring back every certificate revoked earlier that day).
    return Q(created_at__gte=since) | Q(pk__in=_int_ids(audited))


def _int_ids(object_ids: QuerySet[Any]) -> list[int]:
    # object_id is text in the audit log (it holds keys of every model); certificates have integer keys.
    return [
        int(value) for value in object_ids.order_by().values_list("object_id", flat=True).distinct() if value.isdigit()
    ]


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _day_moment(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def _certificates_modified() -> dt.datetime | None:
    from ocop.audit.models import AuditEvent
    from ocop.certificates.models import Certificate

    figures = Certificate.objects.aggregate(created=Max("created_at"), revoked=Max("revoked_on"))
    audited = AuditEvent.objects.filter(model="certificates.Certificate").aggregate(at=Max("at"))["at"]
    return _latest(figures["created"], _day_moment(figures["revoked"]), audited)


# --- Products -----------------------------------------------------------------------------------------------------
def _page(view: str, pk: int) -> str:
    """The record's public catalogue page: absolute under SITE_URL when it is set, else a path on this site."""
    return settings.SITE_URL.rstrip("/") + reverse(view, args=[pk])


def _place(unit: Any) -> str:
    return unit.name if unit is not None else ""


def _products(since: dt.datetime | None) -> QuerySet[Any]:
    from ocop.catalogue.querysets import public_products
    from ocop.certificates.models import Certificate

    products = public_products(clock.today()).select_related(
        "producer", "product_set__group__category", "province", "current_commune"
    )
    if since is not None:
        certificates = Certificate.objects.filter(product=OuterRef("pk")).filter(_certificates_changed_since(since))
        products = products.filter(Q(updated_at__gte=since) | Q(producer__updated_at__gte=since) | Exists(certificates))
    return products.order_by("pk")


def _products_modified() -> dt.datetime | None:
    from ocop.catalogue.querysets import public_products

    figures = public_products(clock.today()).aggregate(product=Max("updated_at"), producer=Max("producer__updated_at"))
    return _latest(figures["product"], figures["producer"], _certificates_modified())


PRODUCTS = Dataset(
    key="products",
    title=gettext_lazy("OCOP products"),
    description=gettext_lazy(
        "Products recognised under the OCOP programme that the public catalogue shows, with the certificate shown "
        "for each (the best one in force, else the latest, then expired)."
    ),
    columns=(
        Column("id", lambda p: p.pk),
        Column("name", lambda p: p.name),
        Column("ocop_code", lambda p: p.code or ""),
        Column("gtin", lambda p: p.gtin),
        Column("product_set", lambda p: p.product_set.name),
        Column("product_group", lambda p: p.product_set.group.name),
        Column("category", lambda p: p.product_set.group.category.name),
        Column("producer_id", lambda p: p.producer_id),
        Column("producer", lambda p: p.producer.name),
        Column("province", lambda p: _place(p.province)),
        Column("commune", lambda p: _place(p.current_commune)),
        Column("star", lambda p: p.best_star),
        Column("certificate_status", lambda p: p.certificate_status),
        Column("certificate_number", lambda p: p.certificate_number or ""),
        Column("certificate_star", lambda p: p.certificate_star),
        Column("certificate_issued_on", lambda p: p.certificate_issued_on),
        Column("certificate_expires_on", lambda p: p.certificate_expires_on),
        Column("certificate_extended_until", lambda p: p.certificate_extended_until),
        Column("description", lambda p: p.description),
        Column("page", lambda p: _page("catalogue:product", p.pk)),
        Column("modified", lambda p: p.updated_at),
    ),
    query=_products,
    modified=_products_modified,
)


# --- Producers ----------------------------------------------------------------------------------------------------
def _producers(since: dt.datetime | None) -> QuerySet[Any]:
    from ocop.catalogue.querysets import public_producers

    producers = public_producers(clock.today()).select_related("province", "current_commune", "commune")
    if since is not None:
        producers = producers.filter(updated_at__gte=since)
    return producers.order_by("pk")


def _producers_modified() -> dt.datetime | None:
    from ocop.catalogue.querysets import public_producers

    return public_producers(clock.today()).aggregate(at=Max("updated_at"))["at"]


PRODUCERS = Dataset(
    key="producers",
    title=gettext_lazy("OCOP producers"),
    description=gettext_lazy(
        "Producers (cooperatives, enterprises, households) with at least one product in the public catalogue: "
        "public fields only, no personal data."
    ),
    columns=(
        Column("id", lambda p: p.pk),
        Column("name", lambda p: p.name),
        Column("kind", lambda p: p.kind),
        Column("kind_label", lambda p: str(p.get_kind_display())),
        Column("province", lambda p: _place(p.province)),
        Column("commune", lambda p: _place(p.current_commune or p.commune)),
        Column("website", lambda p: p.website),
        Column("founded_on", lambda p: p.founded_on),
        Column("members_count", lambda p: p.members_count),
        Column("workers_count", lambda p: p.workers_count),
        Column("page", lambda p: _page("catalogue:producer", p.pk)),
        Column("modified", lambda p: p.updated_at),
    ),
    query=_producers,
    modified=_producers_modified,
)


# --- Certificates -------------------------------------------------------------------------------------------------
def _certificates(since: dt.datetime | None) -> QuerySet[Any]:
    from ocop.certificates.models import Certificate

    certificates = Certificate.objects.select_related("product__producer", "product__province")
    if since is not None:
        certificates = certificates.filter(_certificates_changed_since(since))
    return certificates.order_by("pk")


def _certificate_status(certificate: Any) -> str:
    return str(certificate.status_on(clock.today()))


CERTIFICATES = Dataset(
    key="certificates",
    title=gettext_lazy("OCOP certificates"),
    description=gettext_lazy(
        "The public register of OCOP certificates: in force, expired and revoked, with their status today and "
        "the address of their verification page."
    ),
    columns=(
        Column("id", lambda c: c.pk),
        Column("number", lambda c: c.number),
        Column("star", lambda c: c.star),
        Column("status", _certificate_status),
        Column("product_id", lambda c: c.product_id),
        Column("product", lambda c: c.product.name),
        Column("producer", lambda c: c.product.producer.name),
        Column("province", lambda c: _place(c.product.province)),
        Column("issued_on", lambda c: c.issued_on),
        Column("expires_on", lambda c: c.expires_on),
        Column("extended_until", lambda c: c.extended_until),
        Column("revoked_on", lambda c: c.revoked_on),
        Column("issuing_body", lambda c: c.issuing_body),
        Column("decision_number", lambda c: c.decision_number),
        Column("decision_date", lambda c: c.decision_date),
        Column("verify_token", lambda c: c.verify_token),
    ),
    query=_certificates,
    modified=_certificates_modified,
)


# --- Revocations --------------------------------------------------------------------------------------------------
def _revocations(since: dt.datetime | None) -> QuerySet[Any]:
    from ocop.certificates.models import Revocation

    revocations = Revocation.objects.select_related("certificate__product__producer", "certificate__product__province")
    if since is not None:
        revocations = revocations.filter(created_at__gte=since)
    return revocations.order_by("pk")


def _revocations_modified() -> dt.datetime | None:
    from ocop.certificates.models import Revocation

    return Revocation.objects.aggregate(at=Max("created_at"))["at"]


REVOCATIONS = Dataset(
    key="revocations",
    title=gettext_lazy("Revocations of OCOP certificates"),
    description=gettext_lazy(
        "Decisions revoking an OCOP certificate: the legal ground, the decision and its date. From the decision "
        "the product may no longer carry the OCOP mark."
    ),
    columns=(
        Column("id", lambda r: r.pk),
        Column("certificate_id", lambda r: r.certificate_id),
        Column("certificate_number", lambda r: r.certificate.number),
        Column("star", lambda r: r.certificate.star),
        Column("product_id", lambda r: r.certificate.product_id),
        Column("product", lambda r: r.certificate.product.name),
        Column("producer", lambda r: r.certificate.product.producer.name),
        Column("province", lambda r: _place(r.certificate.product.province)),
        Column("ground", lambda r: r.ground),
        Column("ground_label", lambda r: str(r.get_ground_display())),
        Column("finding_date", lambda r: r.finding_date),
        Column("decision_number", lambda r: r.decision_number),
        Column("decision_date", lambda r: r.decision_date),
        Column("revoked_on", lambda r: r.certificate.revoked_on),
        Column("modified", lambda r: r.created_at),
    ),
    query=_revocations,
    modified=_revocations_modified,
)


DATASETS: dict[str, Dataset] = {d.key: d for d in (PRODUCTS, PRODUCERS, CERTIFICATES, REVOCATIONS)}
