"""Dossier workflows: open, fill, self-score, submit, the commune's report and decision, status changes.

These functions change data; they do not decide who may call them (views ask
`ocop.evaluation.querysets` first), except where the rule is part of the
procedure itself (only the producer of the product files; only the officer of
the dossier's commune decides). Each refusal is a ValidationError with a
translated message, raised before anything is stored; each workflow runs in
one transaction with the dossier row locked, so a double click or two officers
at once cannot act twice. Saves are audited by the model signals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ocop.accounts.models import Role
from ocop.certificates.models import Certificate
from ocop.certificates.policy import policy_on
from ocop.evaluation import sheets
from ocop.evaluation.forms import REPORT_REQUIRED, Form01, Form02
from ocop.evaluation.models import (
    EDITABLE_STATUSES,
    TRANSITIONS,
    CommuneConclusion,
    CommuneReport,
    Dossier,
    DossierKind,
    DossierStatus,
    DossierVersion,
    RegistrationSerial,
    StatusChange,
)
from ocop.evaluation.workdays import calendar_for
from ocop.lib import clock
from ocop.registry.models import Evidence, EvidenceType, ProducerKind, ProducerStatus, Product, ProductStatus

# Defaults when a rulebook does not say (QĐ 26/2026 does): the commune's 15
# working days (Điều 7.2) and five samples (Điều 6.2.d).
COMMUNE_WORKING_DAYS = 15
SAMPLES = 5


# --- Status machine ------------------------------------------------------------------------
def change_status(dossier: Dossier, to_status: str, *, actor: Any, note: str = "") -> StatusChange:
    """Move `dossier` to `to_status` if the state machine allows it, and write the timeline step.

    The caller holds the transaction (and, for concurrent steps, the row lock:
    see `lock()`). The provincial and central workflow calls this too.
    """
    current = dossier.status
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            _("A dossier that is “%(current)s” cannot become “%(target)s”.")
            % {"current": DossierStatus(current).label, "target": DossierStatus(to_status).label},
            code="wrong_state",
        )
    dossier.status = to_status
    dossier.save()
    return StatusChange.objects.create(
        dossier=dossier, from_status=current, to_status=to_status, by=actor, note=note, at=clock.now()
    )


def lock(dossier: Dossier) -> Dossier:
    """The dossier re-read under a row lock (inside a transaction): decisions are made on its latest state."""
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


# --- Opening ------------------------------------------------------------------------------------
def current_certificate(product: Product) -> Certificate | None:
    """The product's certificate in force today (the latest issued), if any."""
    today = clock.today()
    return Certificate.objects.filter(product=product).valid_on(today).order_by("-issued_on", "-pk").first()


def kind_refusal(product: Product, kind: str) -> str | None:
    """Why `product` may not open a dossier of `kind` today (None: it may)."""
    certificate = current_certificate(product)
    if kind == DossierKind.FIRST:
        if certificate is not None:
            return _(
                "This product already holds a valid %(star)s★ certificate: register an upgrade or a re-evaluation."
            ) % {"star": certificate.star}
        return None
    if certificate is None:
        return _("An upgrade or a re-evaluation needs a valid OCOP certificate for this product.")
    if kind == DossierKind.UPGRADE:
        if certificate.star >= 5:
            return _("A 5★ product cannot be upgraded.")
        return None
    opens, closes = policy_on().window(certificate.expires_on)
    today = clock.today()
    if not opens <= today <= closes:
        return _(
            "A re-evaluation is filed between %(opens)s and %(closes)s (180 to 120 days before the certificate "
            "expires on %(expires)s)."
        ) % {
            "opens": opens.strftime("%d/%m/%Y"),
            "closes": closes.strftime("%d/%m/%Y"),
            "expires": certificate.expires_on.strftime("%d/%m/%Y"),
        }
    return None


def _initial_forms(product: Product) -> tuple[dict[str, Any], dict[str, Any]]:
    producer = product.producer
    address = ", ".join(part for part in (producer.street, producer.commune.full_name()) if part)
    with translation.override("vi"):
        organisation_type = str(ProducerKind(producer.kind).label) if producer.kind else ""
    form01 = {
        "producer_name": producer.name,
        "representative": producer.rep_name,
        "position": producer.rep_position,
        "address": address,
        "phone": producer.phone,
        "email": producer.email,
        "product_name": product.name,
        "commitment": False,
    }
    form02 = {
        "organisation_type": organisation_type,
        "address": address,
        "phone": producer.phone,
        "email": producer.email,
        "representative": producer.rep_name,
        "rep_gender": producer.rep_gender,
        "rep_ethnicity": producer.rep_ethnicity,
        "founded_on": producer.founded_on.isoformat() if producer.founded_on else "",
        "registration_number": producer.registration_number,
        "product_description": product.specifications or product.description,
        "history": "",
    }
    return form01, form02


def _rulebook_and_sheet(product: Product) -> tuple[Any, Any]:
    """The rulebook in force today and its sheet for the product's product set."""
    from ocop.rules.rulebooks import current_rulebook, rulebook_for

    rulebook = rulebook_for(clock.today()) or current_rulebook()
    sheet = rulebook.sheet_for_set(product.product_set.number) if rulebook.has_sheets else None
    if sheet is None:
        raise ValidationError(
            _("The criteria sheet for this product set is not available in rulebook %(rulebook)s.")
            % {"rulebook": rulebook.code},
            code="no_sheet",
        )
    return rulebook, sheet


def samples_for(rulebook: Any, product_set_number: int) -> int:
    """Samples sent with the dossier (Điều 6.2.d: five, none for the tourism sets)."""
    procedure = rulebook.procedure
    if product_set_number in procedure.samples_exempt_sets:
        return 0
    return procedure.samples if procedure.samples is not None else SAMPLES


def commune_working_days(dossier: Dossier) -> int:
    """Working days the commune has for its check (Điều 7.2), from the dossier's rulebook."""
    from ocop.rules.rulebooks import get_rulebook

    days = get_rulebook(dossier.rulebook).procedure.commune_check_working_days
    return days if days is not None else COMMUNE_WORKING_DAYS


def holiday_calendar_changed(changes: Iterable[tuple[int | None, dt.date]]) -> int:
    """Count again the commune deadlines a change to the holiday calendar may move; returns how many moved.

    `changes`: (province id, or None for every province; date) of each holiday override as it was and as it
    is. A dossier awaiting the commune's check has its deadline counted again from the day it was submitted,
    with its province's calendar as it is now, when that deadline is on or after a changed day (a day off
    added or removed before it moves it; one after it cannot). The new deadline is saved (and so audited),
    and the reminders of the new deadline are due again.
    """
    changes = list(changes)
    if not changes:
        return 0
    dossiers = Dossier.objects.filter(
        status=DossierStatus.SUBMITTED, commune_deadline__gte=min(day for _province, day in changes)
    ).exclude(submitted_at__isnull=True)
    provinces = {province for province, _day in changes}
    if None not in provinces:
        dossiers = dossiers.filter(province__in=provinces)
    calendars: dict[int, Any] = {}
    moved = 0
    with transaction.atomic():
        for dossier in dossiers.select_for_update().select_related("province"):
            calendar = calendars.get(dossier.province_id)
            if calendar is None:
                calendar = calendars[dossier.province_id] = calendar_for(dossier.province)
            deadline = calendar.add_working_days(clock.day_of(dossier.submitted_at), commune_working_days(dossier))
            if deadline != dossier.commune_deadline:
                dossier.commune_deadline = deadline
                dossier.save(update_fields=["commune_deadline"])
                moved += 1
    return moved


def open_dossier(product: Product, kind: str, *, actor: Any) -> Dossier:
    """A new draft dossier of `kind` for `product`, filed by the producer account `actor`."""
    if kind not in DossierKind.values:
        raise ValidationError(_("Choose first evaluation, upgrade or re-evaluation."), code="kind")
    if actor.role != Role.PRODUCER or actor.producer_id != product.producer_id:
        raise ValidationError(_("Only the producer of a product files its dossier."), code="not_owner")
    if product.producer.status != ProducerStatus.VERIFIED:
        raise ValidationError(
            _("Your registration must be verified by the OCOP office before you file a dossier."), code="unverified"
        )
    if product.status != ProductStatus.ACTIVE:
        raise ValidationError(_("Only an active product can be evaluated."), code="inactive")
    refusal = kind_refusal(product, kind)
    if refusal:
        raise ValidationError(refusal, code="kind")
    with transaction.atomic():
        # Lock the product row so two clicks cannot open two dossiers.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        existing = Dossier.objects.filter(product=product).exclude(
            status__in=[DossierStatus.RECOGNISED, DossierStatus.NOT_RECOGNISED, DossierStatus.WITHDRAWN]
        )
        if existing.exists():
            raise ValidationError(
                _("This product already has an open dossier (%(number)s); finish or withdraw it first.")
                % {"number": existing.first()},
                code="open_dossier",
            )
        rulebook, sheet = _rulebook_and_sheet(product)
        form01, form02 = _initial_forms(product)
        dossier = Dossier.objects.create(
            product=product,
            kind=kind,
            certificate=current_certificate(product) if kind != DossierKind.FIRST else None,
            rulebook=rulebook.code,
            sheet=sheet.number,
            samples_count=samples_for(rulebook, product.product_set.number),
            form01=form01,
            form02=form02,
            created_by=actor,
        )
        StatusChange.objects.create(
            dossier=dossier, from_status="", to_status=DossierStatus.DRAFT, by=actor, at=clock.now()
        )
    return dossier


# --- Filling in ------------------------------------------------------------------------------
def _editable(dossier: Dossier) -> Dossier:
    locked = lock(dossier)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This dossier is “%(status)s”: it can no longer be changed.")
            % {"status": DossierStatus(locked.status).label},
            code="wrong_state",
        )
    return locked


def save_forms(
    dossier: Dossier,
    *,
    form01: Mapping[str, Any],
    form02: Mapping[str, Any],
    evidence: Iterable[Evidence],
    actor: Any,
) -> Dossier:
    """Store the draft of Mẫu 01, Mẫu 02 and the evidence picked (the producer's own documents only)."""
    evidence = list(evidence)
    if any(doc.producer_id != dossier.producer_id for doc in evidence):
        raise ValidationError(_("Only documents from your own evidence library can be attached."), code="evidence")
    with transaction.atomic():
        locked = _editable(dossier)
        locked.form01 = dict(form01)
        locked.form02 = dict(form02)
        locked.save()
        locked.evidence.set(evidence)
    return locked


def save_self_assessment(dossier: Dossier, selections: Mapping[str, str], *, actor: Any) -> Dossier:
    """Store the producer's self-scoring {criterion code: option id}; every pair must be on the dossier's sheet."""
    sheet = sheets.sheet_for(dossier)
    errors = sheets.invalid_selections(sheet, selections)
    if errors:
        raise ValidationError(errors, code="selection")
    with transaction.atomic():
        locked = _editable(dossier)
        locked.self_assessment = {code: option for code, option in selections.items() if option}
        locked.save()
    return locked


# --- Completeness -------------------------------------------------------------------------------
def required_evidence(dossier: Dossier) -> list[str]:
    """Document types the dossier must carry (Mẫu 02 and the sheet's knock-out conditions)."""
    required = []
    # A production household without business registration has none to show (Mẫu 02: "if registered").
    if dossier.producer.kind != ProducerKind.PRODUCTION_HOUSEHOLD:
        required.append(EvidenceType.BUSINESS_REGISTRATION)
    if sheets.requires_food_safety(sheets.sheet_for(dossier)):
        required.append(EvidenceType.FOOD_SAFETY)
    return required


def missing_items(dossier: Dossier) -> list[str]:
    """What keeps the dossier from being submitted (or forwarded), in words; empty when complete."""
    missing: list[str] = []
    f01 = Form01.from_json(dossier.form01)
    if not f01.is_valid():
        for label in f01.missing():
            missing.append(_("Registration form (Mẫu 01): “%(field)s” is missing or invalid.") % {"field": label})
    f02 = Form02.from_json(dossier.form02, kind=dossier.kind)
    if not f02.is_valid():
        for label in f02.missing():
            missing.append(_("Self-assessment report (Mẫu 02): “%(field)s” is missing or invalid.") % {"field": label})
    sheet = sheets.sheet_for(dossier)
    unscored = sheets.unscored(sheet, dossier.self_assessment)
    if unscored:
        missing.append(
            _("Self-scoring: %(count)s criteria not scored yet (%(codes)s).")
            % {"count": len(unscored), "codes": ", ".join(unscored[:10]) + ("…" if len(unscored) > 10 else "")}
        )
    invalid = sheets.invalid_selections(sheet, dossier.self_assessment)
    missing.extend(invalid)
    today = clock.today()
    documents = list(dossier.evidence.all())
    labels = dict(EvidenceType.choices)
    for doc_type in required_evidence(dossier):
        of_type = [doc for doc in documents if doc.doc_type == doc_type]
        if not of_type:
            missing.append(_("Evidence: attach a document of type “%(type)s”.") % {"type": labels[doc_type]})
        elif all(doc.expires_on is not None and doc.expires_on < today for doc in of_type):
            missing.append(
                _("Evidence: the “%(type)s” attached has expired; attach a valid one.") % {"type": labels[doc_type]}
            )
    if dossier.commune_id is None:
        missing.append(
            _(
                "Your producer has no present-day commune, so no commune can receive the dossier: ask the "
                "provincial OCOP office to set it."
            )
        )
    return missing


# --- Submission ---------------------------------------------------------------------------------
def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _evidence_entries(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "id": doc.pk,
            "doc_type": doc.doc_type,
            "title": doc.title,
            "number": doc.number,
            "issuer": doc.issuer,
            "issued_on": doc.issued_on.isoformat() if doc.issued_on else None,
            "expires_on": doc.expires_on.isoformat() if doc.expires_on else None,
            "sha256": doc.sha256,
        }
        for doc in dossier.evidence.order_by("pk")
    ]


def version_content(dossier: Dossier) -> dict[str, Any]:
    """What a version freezes: the registration, both forms, the self-scoring with its projection, the evidence."""
    sheet = sheets.sheet_for(dossier)
    projection = sheets.project(sheet, dossier.self_assessment)
    product = dossier.product
    return {
        "dossier": dossier.pk,
        "registration_number": dossier.registration_number,
        "kind": dossier.kind,
        "product": {"id": product.pk, "name": product.name, "code": product.code or ""},
        "producer": {"id": dossier.producer_id, "name": dossier.producer.name},
        "certificate": dossier.certificate_id,
        "rulebook": dossier.rulebook,
        "sheet": dossier.sheet,
        "samples_count": dossier.samples_count,
        "form01": dossier.form01,
        "form02": dossier.form02,
        "self_assessment": dict(sorted(dossier.self_assessment.items())),
        "self_total": str(projection.total),
        "self_star": projection.star,
        "evidence": [entry["id"] for entry in _evidence_entries(dossier)],
    }


def _registration_number(dossier: Dossier, year: int) -> str:
    serial, _created = RegistrationSerial.objects.select_for_update().get_or_create(commune=dossier.commune, year=year)
    serial.last_serial += 1
    serial.save(update_fields=["last_serial"])
    return f"{serial.last_serial:03d}/PĐK-{dossier.province.code}-{dossier.commune.code}-{year}"


def submit(dossier: Dossier, *, actor: Any) -> DossierVersion:
    """Freeze the dossier as a new version and file it with the commune (first time or after a return)."""
    if actor.role != Role.PRODUCER or actor.producer_id != dossier.producer_id:
        raise ValidationError(_("Only the producer of a product files its dossier."), code="not_owner")
    with transaction.atomic():
        locked = _editable(dossier)
        missing = missing_items(locked)
        if missing:
            raise ValidationError(missing, code="incomplete")
        now = clock.now()
        today = clock.today()
        if not locked.registration_number:
            locked.registration_number = _registration_number(locked, today.year)
        content = version_content(locked)
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = DossierVersion.objects.create(
            dossier=locked,
            number=number,
            content=content,
            sha256=hashlib.sha256(canonical_json(content).encode()).hexdigest(),
            evidence_hashes=_evidence_entries(locked),
            created_by=actor,
        )
        locked.submitted_at = now
        locked.commune_deadline = calendar_for(locked.province).add_working_days(today, commune_working_days(locked))
        locked.return_reasons = ""
        note = _("Version %(number)s") % {"number": number}
        change_status(locked, DossierStatus.SUBMITTED, actor=actor, note=note)
        _notify_commune(locked, version)
    dossier.refresh_from_db()
    return version


def commune_officers(dossier: Dossier) -> list[Any]:
    from ocop.accounts.models import User

    if dossier.commune_id is None:
        return []
    return list(User.objects.filter(role=Role.COMMUNE, commune_id=dossier.commune_id, is_active=True))


def _notify(users: Iterable[Any], *, kind: str, title: str, body: str, link: str) -> None:
    """Tell `users` in the inbox (and by e-mail), when the notifications app is installed."""
    try:
        from ocop.notifications.actions import notify
    except ImportError:  # pragma: no cover - the platform ships with notifications
        return
    notify(users, kind=kind, title=title, body=body, link=link)


def _notify_commune(dossier: Dossier, version: DossierVersion) -> None:
    with translation.override("vi"):
        title = _("Dossier %(number)s submitted: %(product)s") % {
            "number": dossier.registration_number,
            "product": dossier.product.name,
        }
        body = _("%(producer)s submitted version %(version)s. Check it by %(deadline)s (15 working days).") % {
            "producer": dossier.producer.name,
            "version": version.number,
            "deadline": dossier.commune_deadline.strftime("%d/%m/%Y"),
        }
    _notify(
        commune_officers(dossier), kind="dossier.submitted", title=title, body=body, link=dossier.get_absolute_url()
    )


def _producer_users(dossier: Dossier) -> list[Any]:
    return list(dossier.producer.users.filter(is_active=True))


# --- The commune --------------------------------------------------------------------------------
def _commune_check(dossier: Dossier, actor: Any) -> Dossier:
    if actor.role != Role.COMMUNE or actor.commune_id is None or actor.commune_id != dossier.commune_id:
        raise ValidationError(_("Only an officer of the dossier's commune checks it."), code="not_commune")
    locked = lock(dossier)
    if locked.status != DossierStatus.SUBMITTED:
        raise ValidationError(
            _("This dossier is “%(status)s”: the commune's check is over.")
            % {"status": DossierStatus(locked.status).label},
            code="wrong_state",
        )
    return locked


def save_commune_report(dossier: Dossier, data: Mapping[str, Any], *, actor: Any) -> CommuneReport:
    """Write or update Mẫu 03 for the version under check (a decided report is never changed)."""
    with transaction.atomic():
        locked = _commune_check(dossier, actor)
        version = locked.versions.order_by("-number").first()
        if version is None:  # pragma: no cover - a submitted dossier always has a version
            raise ValidationError(_("This dossier has no submitted version."), code="no_version")
        report = CommuneReport.objects.filter(version=version).first() or CommuneReport(dossier=locked, version=version)
        for field in (*REPORT_REQUIRED, "other_remarks", "report_date"):
            setattr(report, field, data.get(field) or ("" if field != "report_date" else clock.today()))
        report.officer = actor
        report.save()
    return report


def report_missing(report: CommuneReport | None) -> list[str]:
    if report is None:
        return [_("Write the commune report (Mẫu 03) before forwarding.")]
    missing = []
    for field in REPORT_REQUIRED:
        if not (getattr(report, field) or "").strip():
            label = CommuneReport._meta.get_field(field).verbose_name
            missing.append(_("Commune report (Mẫu 03): “%(field)s” is empty.") % {"field": label})
    return missing


def decide(dossier: Dossier, decision: str, *, reasons: str = "", actor: Any) -> Dossier:
    """The commune's decision: return to the producer (with reasons) or forward to the province (complete only)."""
    reasons = (reasons or "").strip()
    if decision not in CommuneConclusion.values:
        raise ValidationError(_("Choose to return or to forward the dossier."), code="decision")
    with transaction.atomic():
        locked = _commune_check(dossier, actor)
        version = locked.versions.order_by("-number").first()
        report = CommuneReport.objects.filter(version=version).first()
        if decision == CommuneConclusion.RETURN:
            if not reasons:
                raise ValidationError(
                    _("Say why the dossier is returned, so the producer knows what to correct."), code="reasons"
                )
            locked.return_reasons = reasons
            change_status(locked, DossierStatus.RETURNED, actor=actor, note=reasons)
        else:
            problems = report_missing(report) + missing_items(locked)
            if problems:
                raise ValidationError(
                    [_("The dossier cannot be forwarded while it is incomplete.")] + problems, code="incomplete"
                )
            locked.forwarded_at = clock.now()
            change_status(locked, DossierStatus.FORWARDED, actor=actor, note=reasons)
        if report is not None:
            report.conclusion = decision
            report.reasons = reasons
            report.officer = actor
            report.decided_at = clock.now()
            report.save()
        _notify_decision(locked, decision, reasons)
    dossier.refresh_from_db()
    return dossier


def _notify_decision(dossier: Dossier, decision: str, reasons: str) -> None:
    with translation.override("vi"):
        if decision == CommuneConclusion.RETURN:
            title = _("Dossier %(number)s returned by the commune") % {"number": dossier.registration_number}
            body = _("Reasons: %(reasons)s") % {"reasons": reasons}
        else:
            title = _("Dossier %(number)s forwarded to the province") % {"number": dossier.registration_number}
            body = _("The commune forwarded the dossier of %(product)s to the provincial OCOP office.") % {
                "product": dossier.product.name
            }
    users = _producer_users(dossier)
    if decision == CommuneConclusion.FORWARD:
        users += province_officers(dossier)
    _notify(users, kind=f"dossier.{decision}", title=title, body=body, link=dossier.get_absolute_url())


def province_officers(dossier: Dossier) -> list[Any]:
    from ocop.accounts.models import User

    return list(User.objects.filter(role=Role.PROVINCE, province_id=dossier.province_id, is_active=True))


# --- Reading ------------------------------------------------------------------------------------
def is_overdue(dossier: Dossier) -> bool:
    return (
        dossier.status == DossierStatus.SUBMITTED
        and dossier.commune_deadline is not None
        and clock.today() > dossier.commune_deadline
    )
