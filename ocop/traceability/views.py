"""Lot pages: list, create, detail with the timeline of trace events, edit, events, EPCIS export and import."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.accounts.models import Role
from ocop.lib.text import fold
from ocop.registry.models import Evidence, ProducerStatus, Product
from ocop.registry.querysets import may_browse_registry
from ocop.registry.views.common import can_write, forbidden, get_readable, paginate
from ocop.traceability import actions
from ocop.traceability.forms import EventForm, ImportForm, LotForm
from ocop.traceability.models import Lot
from ocop.traceability.querysets import lot_products


def _lot_for(request: HttpRequest, pk: int) -> Lot:
    return get_readable(
        Lot.objects.select_related("product__producer", "product__province", "province", "created_by"), request, pk
    )


def _producer_not_verified(user: Any) -> str | None:
    if getattr(user, "role", None) != Role.PRODUCER:
        return None
    producer = getattr(user, "producer", None)
    if producer is not None and producer.status == ProducerStatus.VERIFIED:
        return None
    return _("Lots can be opened once your producer registration has been verified.")


def _not_open(user: Any) -> str:
    return _producer_not_verified(user) or _(
        "Lots are opened for active products of verified producers in your area; there is none you may use."
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def lot_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_browse_registry(user):
        return forbidden(request, _("Council members reach products through the dossiers assigned to them."))
    lots = Lot.objects.for_user(user).select_related("product", "producer", "province")
    query = request.GET.get("q", "").strip()
    if query:
        lots = lots.filter(Q(number__icontains=query) | Q(product__folded_name__contains=fold(query)))
    lots = lots.annotate(event_count=Count("events")).order_by("-produced_on", "-pk")
    context = {
        "page": paginate(request, lots),
        "query": query,
        "can_create": lot_products(user).exists(),
        "closed_reason": _producer_not_verified(user),
    }
    return render(request, "traceability/lot_list.html", context)


def _evidence_choices(user: Any, products: Any) -> Any:
    return Evidence.objects.for_user(user).filter(producer__in=products.values("producer")).order_by("title")


@login_required
def lot_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    products = lot_products(user).select_related("producer")
    if not products.exists():
        return forbidden(request, _not_open(user), back="traceability:lot_list")
    form = LotForm(
        request.POST or None,
        products=products,
        evidence=_evidence_choices(user, products),
        initial={"product": request.GET.get("product")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lot = actions.create_lot(
                form.cleaned_data["product"],
                form.lot_fields(),
                evidence=form.cleaned_data["evidence"],
                actor=user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The lot has been created."))
            return redirect(lot)
    return render(request, "traceability/lot_form.html", {"form": form})


@login_required
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _lot_for(request, pk)
    return _render_detail(request, lot)


def _render_detail(request: HttpRequest, lot: Lot, *, import_form: ImportForm | None = None, status: int = 200) -> Any:
    context = {
        "lot": lot,
        "events": lot.events.select_related("admin_unit").order_by("occurred_at", "pk"),
        "evidence": lot.evidence.order_by("title"),
        "can_edit": can_write(Lot.objects, request, lot),
        "import_form": import_form or ImportForm(),
    }
    return render(request, "traceability/lot_detail.html", context, status=status)


@login_required
def lot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _lot_for(request, pk)
    if not can_write(Lot.objects, request, lot):
        return forbidden(request, back=lot.get_absolute_url())
    user = request.user
    # The product is shown but cannot change (the field is disabled).
    products = Product.objects.filter(pk=lot.product_id)
    form = LotForm(
        request.POST or None,
        instance=lot,
        products=products,
        evidence=Evidence.objects.for_user(user).filter(producer_id=lot.producer_id).order_by("title"),
        initial={"evidence": list(lot.evidence.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_lot(lot, form.lot_fields(), evidence=form.cleaned_data["evidence"])
        except ValidationError as exc:
            _apply_errors(form, exc)
            lot.refresh_from_db()
        else:
            messages.success(request, _("The lot has been saved."))
            return redirect(lot)
    return render(request, "traceability/lot_form.html", {"form": form, "lot": lot})


@login_required
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _lot_for(request, pk)
    if not can_write(Lot.objects, request, lot):
        return forbidden(
            request, _("You may read this lot but you may not record events on it."), back=lot.get_absolute_url()
        )
    form = EventForm(request.POST or None, lot=lot)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_event(lot, form.event_fields(), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The trace event has been recorded."))
            return redirect(lot)
    return render(request, "traceability/event_form.html", {"form": form, "lot": lot})


@login_required
def lot_epcis(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _lot_for(request, pk)
    document = actions.export_document(lot)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/ld+json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="epcis-lot-{lot.pk}.jsonld"'
    return response


def _wants_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type in ("application/json", "application/ld+json") or "json" in request.headers.get("Accept", "")


@login_required
@require_POST
def lot_epcis_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import events from an EPCIS 2.0 document: a file upload from the lot page, or the JSON itself as the body."""
    lot = _lot_for(request, pk)
    as_json = _wants_json(request)
    if not can_write(Lot.objects, request, lot):
        message = _("You may read this lot but you may not record events on it.")
        if as_json:
            return JsonResponse({"detail": message, "code": "forbidden"}, status=403)
        return forbidden(request, message, back=lot.get_absolute_url())
    form = None
    if request.content_type in ("application/json", "application/ld+json"):
        data: Any = request.body
    else:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            if as_json:
                return JsonResponse({"detail": _("Send an EPCIS 2.0 file."), "code": "invalid"}, status=400)
            return _render_detail(request, lot, import_form=form, status=400)
        # One byte more than allowed is enough for the action to refuse a file that is too large.
        data = form.cleaned_data["document"].read(actions.MAX_DOCUMENT_BYTES + 1)
    try:
        result = actions.import_document(lot, data, actor=request.user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if as_json:
            return JsonResponse({"detail": message, "code": exc.code or "invalid"}, status=400)
        form = form or ImportForm()
        form.add_error(None, message)
        return _render_detail(request, lot, import_form=form, status=400)
    if as_json:
        status = 201 if result.created else 200
        return JsonResponse({"created": len(result.created), "duplicates": result.duplicates}, status=status)
    messages.success(
        request,
        _("%(created)d events imported, %(duplicates)d already recorded.")
        % {"created": len(result.created), "duplicates": result.duplicates},
    )
    return redirect(lot)
