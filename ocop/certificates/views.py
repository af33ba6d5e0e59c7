"""Certificate pages: detail and PDF for those who may read the product, the public register and
verification page, revocation, extension and inspections for the offices that act on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ocop.certificates import actions
from ocop.certificates.forms import ExtensionForm, InspectionForm, RegisterFilterForm, RevocationForm, apply_errors
from ocop.certificates.models import (
    IN_FORCE,
    Certificate,
    CertificateStatus,
    Inspection,
    InspectionOutcome,
    Revocation,
    RevocationGround,
)
from ocop.certificates.pdf import render_certificate
from ocop.certificates.policy import policy_for
from ocop.certificates.querysets import may_inspect_any
from ocop.geo.models import UnitMap
from ocop.lib import clock
from ocop.lib.text import fold
from ocop.registry.models import Evidence
from ocop.registry.querysets import may_browse_registry
from ocop.registry.views.common import forbidden

PAGE_SIZE = 25


def _readable(request: HttpRequest, pk: int) -> Certificate:
    """The certificate if the user may read its product; 404 otherwise (existence is not revealed)."""
    queryset = Certificate.objects.for_user(request.user).select_related(
        "product__producer__province", "product__producer__current_commune", "product__producer__commune"
    )
    return get_object_or_404(queryset, pk=pk)


def _status(certificate: Certificate, today: dt.date) -> dict[str, Any]:
    status = certificate.status_on(today)
    return {"status": status, "status_label": CertificateStatus(status).label, "in_force": status in IN_FORCE}


def _allowed(queryset_method: str, request: HttpRequest, certificate: Certificate) -> bool:
    return getattr(Certificate.objects, queryset_method)(request.user).filter(pk=certificate.pk).exists()


# --- Detail and PDF --------------------------------------------------------------------------------------------
@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _readable(request, pk)
    today = clock.today()
    policy = policy_for(certificate, today)
    opens, closes = policy.window(certificate.expires_on)
    revocation = Revocation.objects.filter(certificate=certificate).first()
    context = {
        "certificate": certificate,
        "product": certificate.product,
        "today": today,
        "window_opens": opens,
        "window_closes": closes,
        "extension_limit": certificate.expires_on + dt.timedelta(days=policy.extension_max_days),
        "revocation": revocation,
        "revocation_evidence": (
            Evidence.objects.for_user(request.user).filter(revocations=revocation) if revocation else []
        ),
        "inspections": list(certificate.inspections.all()),
        "reminders": list(certificate.reminders.all()),
        "can_revoke": certificate.revoked_on is None and _allowed("revocable_by", request, certificate),
        "can_extend": certificate.revoked_on is None and _allowed("extendable_by", request, certificate),
        "can_inspect": certificate.revoked_on is None and _allowed("inspectable_by", request, certificate),
        "verify_url": request.build_absolute_uri(certificate.get_verify_url()),
        **_status(certificate, today),
    }
    return render(request, "certificates/detail.html", context)


@require_GET
@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _readable(request, pk)
    content = render_certificate(certificate, request.build_absolute_uri(certificate.get_verify_url()))
    name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (certificate.number or str(certificate.pk)))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ocop-certificate-{name}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Public: verification and register ---------------------------------------------------------------------------
@require_GET
@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """What a consumer sees after scanning the QR code: is this certificate in force today?"""
    certificate = get_object_or_404(
        Certificate.objects.select_related("product__producer__province", "product__producer__current_commune"),
        verify_token=token,
    )
    today = clock.today()
    newer = (
        Certificate.objects.valid_on(today)
        .filter(product_id=certificate.product_id, issued_on__gt=certificate.issued_on)
        .order_by("-issued_on")
        .first()
    )
    revocation = Revocation.objects.filter(certificate=certificate).first()
    context = {
        "certificate": certificate,
        "product": certificate.product,
        "producer": certificate.product.producer,
        "today": today,
        "revocation": revocation,
        "newer": newer,
        **_status(certificate, today),
    }
    return render(request, "certificates/verify.html", context)


def _register_queryset(form: RegisterFilterForm, today: dt.date) -> Any:
    certificates = Certificate.objects.select_related("product__producer", "product__province")
    if form.value("status"):
        certificates = certificates.with_status(form.value("status"), today)
    if form.value("star"):
        certificates = certificates.filter(star=form.value("star"))
    unit = form.value("province")
    if unit is not None:
        if unit.map == UnitMap.CURRENT:
            certificates = certificates.filter(product__province=unit)
        else:
            # A former province: products registered under it (or one of its units).
            certificates = certificates.filter(product__producer__commune__province=unit)
    if form.value("year"):
        certificates = certificates.filter(issued_on__year=form.value("year"))
    if form.value("q"):
        text = fold(form.value("q"))
        certificates = certificates.filter(
            Q(product__folded_name__contains=text)
            | Q(product__producer__folded_name__contains=text)
            | Q(number__iexact=form.value("q").strip())
        )
    return certificates.order_by("-issued_on", "-pk")


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The public register of OCOP certificates: in force, expired and revoked. Public fields only."""
    form = RegisterFilterForm(request.GET or None)
    today = clock.today()
    page = Paginator(_register_queryset(form, today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(certificate, _status(certificate, today)) for certificate in page.object_list]
    return render(request, "certificates/register.html", {"form": form, "page": page, "rows": rows, "today": today})


# --- Revocation and extension --------------------------------------------------------------------------------------
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _readable(request, pk)
    back = certificate.get_absolute_url()
    if not _allowed("revocable_by", request, certificate):
        return forbidden(
            request,
            _(
                "A certificate is revoked by the authority that recognised it: the provincial OCOP office of the "
                "product's province for 3 and 4 stars, the central office for 5 stars."
            ),
            back=back,
        )
    if certificate.revoked_on is not None:
        messages.error(request, _("This certificate has already been revoked."))
        return redirect(certificate)
    producer_evidence = Evidence.objects.for_user(request.user).filter(producer_id=certificate.product.producer_id)
    inspections = Inspection.objects.filter(certificate=certificate)
    initial: dict[str, Any] = {}
    inspection = None
    raw = request.GET.get("inspection", "")
    if raw.isdigit():
        inspection = inspections.filter(pk=int(raw)).first()
        if inspection is not None:
            initial = {
                "inspection": inspection.pk,
                "ground": RevocationGround.CRITERIA_NOT_MET,
                "finding_date": inspection.inspected_on,
                "details": inspection.findings,
            }
    form = RevocationForm(
        request.POST or None,
        request.FILES or None,
        evidence=producer_evidence.order_by("title"),
        inspections=inspections,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.revoke_certificate(
                certificate,
                ground=data["ground"],
                finding_date=data["finding_date"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                details=data["details"],
                evidence=data["evidence"],
                document=data["document"],
                document_title=data["document_title"],
                inspection=data["inspection"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            return forbidden(request, str(error), back=back)
        else:
            messages.success(request, _("The certificate was revoked."))
            return redirect(certificate)
    finding = form["finding_date"].value() if form.is_bound else initial.get("finding_date")
    deadline = None
    if isinstance(finding, dt.date):
        deadline = actions.revocation_deadline(certificate, finding)
    elif isinstance(finding, str):
        try:
            deadline = actions.revocation_deadline(certificate, dt.date.fromisoformat(finding))
        except ValueError:
            deadline = None
    context = {
        "certificate": certificate,
        "form": form,
        "inspection": inspection,
        "deadline": deadline,
        "deadline_days": policy_for(certificate).revocation_days,
        "today": clock.today(),
        **_status(certificate, clock.today()),
    }
    return render(request, "certificates/revoke.html", context, status=400 if form.errors else 200)


@login_required
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _readable(request, pk)
    back = certificate.get_absolute_url()
    if not _allowed("extendable_by", request, certificate):
        return forbidden(
            request, _("Only the authority that recognised this rating may extend its certificate."), back=back
        )
    policy = policy_for(certificate)
    form = ExtensionForm(
        request.POST or None,
        initial={"until": certificate.extended_until, "reason": certificate.extension_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.extend_certificate(
                certificate, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            return forbidden(request, str(error), back=back)
        else:
            messages.success(request, _("The extension was recorded."))
            return redirect(certificate)
    context = {
        "certificate": certificate,
        "form": form,
        "latest": certificate.expires_on + dt.timedelta(days=policy.extension_max_days),
        "max_days": policy.extension_max_days,
        **_status(certificate, clock.today()),
    }
    return render(request, "certificates/extend.html", context, status=400 if form.errors else 200)


# --- Inspections ------------------------------------------------------------------------------------------
@require_GET
@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    if not may_browse_registry(request.user):
        return forbidden(request, _("Council members reach products through the dossiers assigned to them."))
    inspections = Inspection.objects.for_user(request.user).select_related("certificate__product__producer")
    outcome = request.GET.get("outcome", "")
    if outcome in InspectionOutcome.values:
        inspections = inspections.filter(outcome=outcome)
    page = Paginator(inspections.order_by("-inspected_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "outcome": outcome,
        "outcomes": InspectionOutcome.choices,
        "can_inspect": may_inspect_any(request.user),
    }
    return render(request, "certificates/inspection_list.html", context)


@login_required
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _readable(request, pk)
    back = certificate.get_absolute_url()
    if not _allowed("inspectable_by", request, certificate):
        return forbidden(
            request,
            _(
                "Inspections are made by the provincial OCOP office of the product's province "
                "or by the central OCOP office."
            ),
            back=back,
        )
    form = InspectionForm(request.POST or None, initial={"inspected_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = actions.record_inspection(certificate, dict(form.cleaned_data), actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            return forbidden(request, str(error), back=back)
        else:
            messages.success(request, _("The inspection was recorded."))
            if inspection.outcome == InspectionOutcome.PROPOSE_REVOCATION and _allowed(
                "revocable_by", request, certificate
            ):
                return redirect(f"{reverse('certificates:revoke', args=[certificate.pk])}?inspection={inspection.pk}")
            return redirect(inspection)
    context = {"certificate": certificate, "form": form, **_status(certificate, clock.today())}
    return render(request, "certificates/inspection_form.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.for_user(request.user).select_related("certificate__product__producer", "created_by"),
        pk=pk,
    )
    certificate = inspection.certificate
    revocation = Revocation.objects.filter(inspection=inspection).first()
    context = {
        "inspection": inspection,
        "certificate": certificate,
        "revocation": revocation,
        "can_revoke": (
            inspection.outcome == InspectionOutcome.PROPOSE_REVOCATION
            and certificate.revoked_on is None
            and _allowed("revocable_by", request, certificate)
        ),
        "revocation_deadline": actions.revocation_deadline(certificate, inspection.inspected_on),
        **_status(certificate, clock.today()),
    }
    return render(request, "certificates/inspection_detail.html", context)
