"""Shapes of the public API's answers (they mirror the rulebook and sheet files in ocop/rules/data)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from ocop.api.common import ObjectId

# A number of stamps: the database holds it exactly; the lot's allowance is checked by the action.
Count = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class Error(Schema):
    detail: str
    code: str


class RulebookSummary(Schema):
    code: str
    title: str
    aliases: list[str]
    valid_from: dt.date
    valid_until: dt.date | None
    in_force: bool
    parts: dict[str, int]
    sheets: int
    url: str
    page: str


class KnockoutOut(Schema):
    code: str
    text: str
    when_zero: list[str] = []


class OptionOut(Schema):
    id: str
    text: str
    points: int
    min_star: int | None = None
    case: str | None = None


class CaseOut(Schema):
    code: str
    title: str


class CriterionOut(Schema):
    code: str
    title: str
    description: str = ""
    max: int
    requirement: str = ""
    notes: list[str] = []
    knockouts: list[KnockoutOut] = []
    cases_note: str = ""
    cases: list[CaseOut] = []
    options: list[OptionOut]


class SectionOut(Schema):
    code: str
    title: str
    description: str = ""
    max: int
    criteria: list[str]


class GroupOut(Schema):
    number: int
    title: str
    description: str = ""
    max: int
    requirement: str = ""
    notes: list[str] = []
    knockouts: list[KnockoutOut] = []
    sections: list[SectionOut] = []
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    title: str
    max: int
    groups: list[GroupOut]


class CorrectionOut(Schema):
    where: str
    field: str
    printed: Any = None
    used: Any = None
    reason: str


class SheetOut(Schema):
    rulebook: str
    number: int
    name: str
    heading: str = ""
    classification: str = ""
    product_sets: list[int]
    knockout_text: str = ""
    knockouts: list[KnockoutOut] = []
    parts: list[PartOut]
    total: int
    corrections: list[CorrectionOut] = []
    source: dict[str, str] | None = None


class RulebookOut(Schema):
    """The rulebook file as published, with every criteria sheet embedded."""

    code: str
    aliases: list[str] = []
    title: str
    instrument: dict[str, Any] = {}
    valid_from: dt.date
    valid_until: dt.date | None = None
    replaces: str | None = None
    parts: dict[str, int]
    total: int
    star_bands: list[dict[str, Any]]
    star_rule: str
    minimums_judged_on: str
    certificate_min_star: int
    certifying_level: dict[str, str]
    revoking_level: dict[str, str] = {}
    procedure: dict[str, Any] = {}
    council: dict[str, Any] | None = None
    rounds: dict[str, Any] | None = None
    transition: dict[str, Any] | None = None
    revocation_grounds: list[dict[str, Any]] = []
    product_set_count: int | None = None
    note: str = ""
    sheets: list[SheetOut]


# --- Shared shapes of the versioned API ---------------------------------------------------------------------------
class ErrorOut(Schema):
    """Every error: a message in the request's language, a stable code, and for invalid input the details."""

    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


class NamedRef(Schema):
    id: int
    name: str


# --- Certificates, revocations, stamps (public) -------------------------------------------------------------------
class CertificateOut(Schema):
    number: str
    star: int
    status: str
    status_label: str
    in_force: bool
    issued_on: dt.date
    expires_on: dt.date
    extended_until: dt.date | None
    revoked_on: dt.date | None
    issuing_body: str
    decision_number: str
    decision_date: dt.date | None
    product: str
    producer: str
    province: str
    verify_token: str
    verify_page: str
    url: str


class RevocationOut(Schema):
    certificate_number: str
    certificate_url: str
    star: int
    product: str
    producer: str
    province: str
    ground: str
    ground_label: str
    finding_date: dt.date
    decision_number: str
    decision_date: dt.date
    revoked_on: dt.date | None


class CertificateDetailOut(CertificateOut):
    revocation: RevocationOut | None
    newer_certificate: str | None


class CertificatePage(Schema):
    count: int
    items: list[CertificateOut]


class RevocationPage(Schema):
    count: int
    items: list[RevocationOut]


class StampStatusOut(Schema):
    serial: str
    state: str
    state_label: str
    signature: str


class StampLotOut(Schema):
    number: str
    produced_on: dt.date
    expires_on: dt.date | None


class StampVerificationOut(Schema):
    """What a scanned code is: `genuine` only for an activated stamp of ours whose signature (if any) holds."""

    genuine: bool
    reason: str
    message: str
    stamp: StampStatusOut | None
    product: str | None
    producer: str | None
    province: str | None
    lot: StampLotOut | None
    certificate: CertificateOut | None


# --- Registry, lots and stamps (token-authenticated) --------------------------------------------------------------
class ProductIn(Schema):
    """A new product. `producer` is required for offices; a producer's own token adds to itself."""

    producer: ObjectId | None = None
    name: str
    product_set: ObjectId
    gtin: str = ""
    description: str = ""
    story: str = ""
    specifications: str = ""
    status: str = "draft"


class ProductPatch(Schema):
    """Fields to change; the others keep their values."""

    name: str | None = None
    product_set: ObjectId | None = None
    gtin: str | None = None
    description: str | None = None
    story: str | None = None
    specifications: str | None = None
    status: str | None = None


class ProductOut(Schema):
    id: int
    name: str
    producer: NamedRef
    product_set: int
    code: str | None
    gtin: str
    description: str
    story: str
    specifications: str
    status: str
    province: str
    updated_at: dt.datetime
    url: str


class ProducerOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    status_note: str
    commune: str
    province: str
    url: str


class ProducerPage(Schema):
    count: int
    items: list[ProducerOut]


class VerifyIn(Schema):
    decision: str
    reason: str = ""


class LotIn(Schema):
    product: ObjectId
    number: str
    produced_on: dt.date
    expires_on: dt.date | None = None
    quantity: str | None = None
    unit: str = "H87"
    place_code: str = ""
    evidence: list[ObjectId] = Field([], max_length=100)
    note: str = ""


class LotPatch(Schema):
    number: str | None = None
    produced_on: dt.date | None = None
    expires_on: dt.date | None = None
    quantity: str | None = None
    unit: str | None = None
    place_code: str | None = None
    evidence: list[ObjectId] | None = Field(None, max_length=100)
    note: str | None = None


class LotOut(Schema):
    id: int
    number: str
    product: NamedRef
    produced_on: dt.date
    expires_on: dt.date | None
    quantity: str | None
    unit: str
    place_code: str
    note: str
    evidence: list[int]
    url: str


class BatchIn(Schema):
    count: Count
    signed: bool = False


class RangeIn(Schema):
    first: Count | None = None
    last: Count | None = None
    reason: str = ""


class BatchOut(Schema):
    id: int
    lot: int
    count: int
    signed: bool
    status: str
    created_at: dt.datetime
    url: str


class RangeOut(Schema):
    changed: int
    detail: str
