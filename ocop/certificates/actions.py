"""What happens to a certificate: issue, extension, revocation, inspection.

Each function checks its input completely before it writes anything, raises a
ValidationError with translated messages (keyed by field where one is at
fault) when the input is refused, and makes its changes in one transaction.
The audit log records every change through the model signals. Permission is
checked here too (PermissionDenied), whoever calls: a view, the evaluation
workflow, a command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.accounts.models import Role, User
from ocop.certificates.models import (
    Certificate,
    CertificateSource,
    CertificateStatus,
    Inspection,
    InspectionOutcome,
    Revocation,
    RevocationGround,
)
from ocop.certificates.policy import CENTRAL, policy_for, policy_on
from ocop.certificates.querysets import central_stars
from ocop.lib import clock
from ocop.notifications.actions import deliver_after_commit, notify

CENTRAL_BODY = "Bộ Nông nghiệp và Môi trường"


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def recipients(certificate: Certificate) -> list[User]:
    """Who hears about a certificate: the producer's accounts and the provincial office of the product's province."""
    product = certificate.product
    producer_users = User.objects.filter(producer_id=product.producer_id, role=Role.PRODUCER, is_active=True)
    office = User.objects.filter(role=Role.PROVINCE, province_id=product.province_id, is_active=True)
    return list(producer_users.order_by("pk")) + list(office.order_by("pk"))


def _tell(certificate: Certificate, kind: str, title: str, body: str) -> None:
    """Notify the certificate's recipients, e-mail copies once the transaction has committed."""
    made = notify(recipients(certificate), kind=kind, title=title, body=body, link=certificate.get_absolute_url())
    deliver_after_commit(made)


# --- Issue -------------------------------------------------------------------------------------------
def may_certify(user: Any, product: Any, star: int) -> bool:
    """Whether `user` acts for the authority that recognises `star` for `product` (Điều 7.3–7.4)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if star in central_stars():
        return user.role == Role.CENTRAL
    return user.role == Role.PROVINCE and user.province_id is not None and user.province_id == product.province_id


def default_issuing_body(product: Any, star: int) -> str:
    if policy_on().level_for(star) == CENTRAL:
        return CENTRAL_BODY
    province = product.province
    kind = "" if province.name.lower().startswith("thành phố") else "tỉnh "
    return f"Ủy ban nhân dân {kind}{province.name}"


def _next_number(product: Any, year: int) -> str:
    prefix = f"OCOP-{product.province.code}-{year}-"
    taken = set(Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    serial = len(taken) + 1
    while f"{prefix}{serial:04d}" in taken:
        serial += 1
    return f"{prefix}{serial:04d}"


def issue_certificate(
    product: Any,
    *,
    star: int,
    decision_number: str,
    decision_date: dt.date,
    issuing_body: str = "",
    issued_on: dt.date | None = None,
    score: Any = None,
    number: str = "",
    rulebook: str = "",
    source: str = CertificateSource.EVALUATION,
    actor: Any = None,
) -> Certificate:
    """Issue the certificate of a recognition decision. Only 3★–5★ products are certified.

    `actor` (when given) must act for the certifying authority of that star.
    The certificate runs from `issued_on` (the decision date by default) for
    the validity of the policy in force (36 months). A transition extension of
    an earlier certificate of the product ends the day before the new one
    starts: the re-evaluation has been decided.
    """
    issued_on = issued_on or decision_date
    policy = policy_on(issued_on)
    errors: dict[str, str] = {}
    if not isinstance(star, int) or star < policy.lowest_certified_star or star > 5:
        errors["star"] = _(
            "Only products rated 3 to 5 stars receive an OCOP certificate; a %(star)s-star result gets none."
        ) % {"star": star}
    if not (decision_number or "").strip():
        errors["decision_number"] = _("Enter the number of the recognition decision.")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the recognition decision.")
    elif decision_date > clock.today():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    elif issued_on < decision_date:
        errors["issued_on"] = _("A certificate cannot be issued before its decision.")
    if errors:
        raise ValidationError(errors)
    if actor is not None and not may_certify(actor, product, star):
        raise PermissionDenied(_("Only the authority that recognises this rating may issue its certificate."))
    with transaction.atomic():
        certificate = Certificate.objects.create(
            product=product,
            star=star,
            score=score,
            number=number.strip() or _next_number(product, issued_on.year),
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            issuing_body=issuing_body.strip() or default_issuing_body(product, star),
            issued_on=issued_on,
            expires_on=policy.expiry_for(issued_on),
            rulebook=rulebook or policy.rulebook,
            source=source,
        )
        for earlier in Certificate.objects.filter(
            product=product, extended_until__gte=issued_on, expires_on__lt=issued_on
        ).exclude(pk=certificate.pk):
            earlier.extended_until = max(earlier.expires_on + dt.timedelta(days=1), issued_on - dt.timedelta(days=1))
            earlier.save(update_fields=["extended_until"])
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                certificate,
                "certificate.issued",
                _("OCOP certificate %(number)s issued: %(product)s, %(star)s stars")
                % {"number": certificate.number, "product": product.name, "star": star},
                _("Decision %(decision)s of %(date)s. The certificate is valid until %(expires)s.")
                % {
                    "decision": certificate.decision_number,
                    "date": _d(decision_date),
                    "expires": _d(certificate.expires_on),
                },
            )
    return certificate


# --- Extension under the transition rule (Điều 12.3) -------------------------------------------------------
def extend_certificate(certificate: Certificate, *, until: dt.date | None, reason: str, actor: Any) -> Certificate:
    """Keep an expired certificate in force until `until` (at most 180 days after expiry), with the reason."""
    if not Certificate.objects.extendable_by(actor).filter(pk=certificate.pk).exists():
        raise PermissionDenied(_("Only the authority that recognised this rating may extend its certificate."))
    policy = policy_for(certificate)
    latest = certificate.expires_on + dt.timedelta(days=policy.extension_max_days)
    errors: dict[str, str] = {}
    if certificate.status_on() == CertificateStatus.REVOKED or certificate.revoked_on:
        raise ValidationError(_("A revoked certificate cannot be extended."))
    if until is None:
        errors["until"] = _("Enter the date until which the certificate stays in force.")
    elif until <= certificate.expires_on:
        errors["until"] = _("The extension must end after the expiry date (%(date)s).") % {
            "date": _d(certificate.expires_on)
        }
    elif until > latest:
        errors["until"] = _(
            "The transition rule keeps a certificate in force at most %(days)s days after its expiry: "
            "until %(date)s at the latest."
        ) % {"days": policy.extension_max_days, "date": _d(latest)}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the extension (why the re-evaluation could not be filed in time).")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certificate.extended_until = until
        certificate.extension_reason = reason.strip()[:500]
        certificate.save(update_fields=["extended_until", "extension_reason"])
        with translation.override(settings.LANGUAGE_CODE):
            _tell(
                certificate,
                "certificate.extended",
                _("OCOP certificate %(number)s stays in force until %(date)s")
                % {"number": certificate.number or certificate.pk, "date": _d(until)},
                _("Extended under the transition rule (QĐ 26/2026, Article 12.3): %(reason)s")
                % {"reason": certificate.extension_reason},
            )
    return certificate


# --- Revocation (Điều 8) -----------------------------------------------------------------------------------
def revoke_certificate(
    certificate: Certificate,
    *,
    ground: str,
    finding_date: dt.date | None,
    decision_number: str,
    decision_date: dt.date | None,
    details: str = "",
    evidence: Iterable[Any] = (),
    document: Any = None,
    document_title: str = "",
    inspection: Inspection | None = None,
    actor: Any,
) -> Revocation:
    """Revoke a certificate on one of the six legal grounds, with its evidence and decision.

    The evidence is picked from the producer's library, or uploaded: an
    uploaded document goes into the producer's evidence library (checked like
    any evidence) and is linked to the revocation. Nothing is written when
    anything is refused.
    """
    if not Certificate.objects.revocable_by(actor).filter(pk=certificate.pk).exists():
        raise PermissionDenied(_("Only the authority that recognised this rating may revoke its certificate."))
    today = clock.today()
    errors: dict[str, str] = {}
    if ground not in RevocationGround.values:
        errors["ground"] = _("Choose the legal ground of the revocation (QĐ 26/2026, Article 8.1).")
    if certificate.revoked_on is not None or Revocation.objects.filter(certificate=certificate).exists():
        raise ValidationError(_("This certificate has already been revoked."))
    if finding_date is None:
        errors["finding_date"] = _("Enter the date of the finding the revocation rests on.")
    elif finding_date > today:
        errors["finding_date"] = _("The date of the finding cannot be in the future.")
    if not (decision_number or "").strip():
        errors["decision_number"] = _("Enter the number of the revocation decision.")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the revocation decision.")
    elif decision_date > today:
        errors["decision_date"] = _("The decision date cannot be in the future.")
    elif finding_date is not None and decision_date < finding_date:
        errors["decision_date"] = _("The decision cannot come before the finding it rests on.")
    elif decision_date < certificate.issued_on:
        errors["decision_date"] = _("A certificate cannot be revoked before it was issued (%(date)s).") % {
            "date": _d(certificate.issued_on)
        }
    picked = list(evidence)
    producer_id = certificate.product.producer_id
    if any(item.producer_id != producer_id for item in picked):
        errors["evidence"] = _("Evidence must be documents of the certificate's producer.")
    elif not picked and document is None:
        errors["evidence"] = _("Add the evidence: pick a document of the producer or upload one.")
    if inspection is not None and inspection.certificate_id != certificate.pk:
        errors["inspection"] = _("The inspection is about another certificate.")
    if errors:
        raise ValidationError(errors)
    if document is not None:
        from ocop.registry import files

        try:
            files.check_evidence_file(document)
        except ValidationError as error:
            raise ValidationError({"document": error.messages}) from None
        if hasattr(document, "seek"):
            document.seek(0)
    with transaction.atomic():
        # Two offices revoking at once: the second one waits here, then is refused.
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_on is not None:
            raise ValidationError(_("This certificate has already been revoked."))
        if document is not None:
            picked.append(_store_document(certificate, document, document_title, decision_number, actor))
        revocation = Revocation.objects.create(
            certificate=certificate,
            ground=ground,
            finding_date=finding_date,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            details=(details or "").strip(),
            inspection=inspection,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        revocation.evidence.set(picked)
        with translation.override(settings.LANGUAGE_CODE):
            ground_label = str(RevocationGround(ground).label)
            certificate.revoked_on = decision_date
            certificate.revocation_reason = f"{ground_label} — {revocation.decision_number}"[:500]
            certificate.save(update_fields=["revoked_on", "revocation_reason"])
            _tell(
                certificate,
                "certificate.revoked",
                _("OCOP certificate %(number)s revoked: %(product)s")
                % {"number": certificate.number or certificate.pk, "product": certificate.product.name},
                _("Decision %(decision)s of %(date)s. Ground: %(ground)s")
                % {"decision": revocation.decision_number, "date": _d(decision_date), "ground": ground_label},
            )
    return revocation


def _store_document(certificate: Certificate, document: Any, title: str, decision_number: str, actor: Any) -> Any:
    from ocop.registry.actions import DuplicateEvidence, add_evidence
    from ocop.registry.models import EvidenceType

    fields = {
        "doc_type": EvidenceType.OTHER,
        "title": (title or "").strip()[:250]
        or _("Revocation of certificate %(number)s") % {"number": certificate.number or certificate.pk},
        "number": (decision_number or "").strip()[:100],
        "issued_on": clock.today(),
    }
    try:
        return add_evidence(certificate.product.producer, document, fields, products=[certificate.product], actor=actor)
    except DuplicateEvidence as duplicate:
        # The producer's library already holds this very file: link that one.
        return duplicate.existing


def revocation_deadline(certificate: Certificate, finding_date: dt.date) -> dt.date:
    """The last day for the revocation decision: 15 days from the finding (Điều 8.4)."""
    return finding_date + dt.timedelta(days=policy_for(certificate, finding_date).revocation_days)


# --- Inspection (Điều 9) -----------------------------------------------------------------------------------
INSPECTION_FIELDS = (
    "kind",
    "inspected_on",
    "inspector",
    "criteria_maintained",
    "mark_used_correctly",
    "product_info_correct",
    "findings",
    "outcome",
    "corrective_due_on",
)


def record_inspection(certificate: Certificate, fields: dict[str, Any], *, actor: Any) -> Inspection:
    """Record a post-recognition inspection and its outcome."""
    if not Certificate.objects.inspectable_by(actor).filter(pk=certificate.pk).exists():
        raise PermissionDenied(_("Your office does not inspect this product."))
    unknown = set(fields) - set(INSPECTION_FIELDS)
    if unknown:
        raise ValueError(f"record_inspection does not take {sorted(unknown)}")
    data = {name: fields.get(name) for name in INSPECTION_FIELDS}
    data["findings"] = (data["findings"] or "").strip()
    data["inspector"] = (data["inspector"] or "").strip()
    errors: dict[str, str] = {}
    day = data["inspected_on"]
    if day is None:
        errors["inspected_on"] = _("Enter the date of the inspection.")
    elif day > clock.today():
        errors["inspected_on"] = _("An inspection cannot be recorded before it takes place.")
    elif day < certificate.issued_on:
        errors["inspected_on"] = _("The inspection date is before the certificate was issued (%(date)s).") % {
            "date": _d(certificate.issued_on)
        }
    elif certificate.revoked_on is not None and day >= certificate.revoked_on:
        errors["inspected_on"] = _(
            "The certificate was revoked on %(date)s: there is no recognition left to inspect."
        ) % {"date": _d(certificate.revoked_on)}
    if not data["inspector"]:
        errors["inspector"] = _("Name the inspector or the inspection team.")
    checks_passed = all(
        bool(data[name]) for name in ("criteria_maintained", "mark_used_correctly", "product_info_correct")
    )
    outcome = data["outcome"]
    if outcome not in InspectionOutcome.values:
        errors["outcome"] = _("Choose the outcome of the inspection.")
    elif outcome == InspectionOutcome.OK and not checks_passed:
        errors["outcome"] = _("A check was not passed: the outcome cannot be “no issue”.")
    if (
        not checks_passed or outcome in (InspectionOutcome.CORRECTIVE, InspectionOutcome.PROPOSE_REVOCATION)
    ) and not data["findings"]:
        errors["findings"] = _("Describe the findings.")
    due = data["corrective_due_on"]
    if outcome == InspectionOutcome.CORRECTIVE:
        if due is None:
            errors["corrective_due_on"] = _("Set the date by which the corrective action is due.")
        elif day is not None and due <= day:
            errors["corrective_due_on"] = _("The due date must be after the inspection.")
    elif due is not None:
        errors["corrective_due_on"] = _("A due date only goes with a corrective action.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            certificate=certificate,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **data,
        )
        if outcome != InspectionOutcome.OK:
            with translation.override(settings.LANGUAGE_CODE):
                product = certificate.product
                made = notify(
                    recipients(certificate),
                    kind="certificate.inspection",
                    title=_("Inspection of %(product)s: %(outcome)s")
                    % {"product": product.name, "outcome": InspectionOutcome(outcome).label},
                    body=inspection.findings,
                    link=inspection.get_absolute_url(),
                )
            deliver_after_commit(made)
    return inspection
