"""Stamp pages: batches for those who may read the lot; issuing, printing, activating and voiding
for those who may change it (the producer, its provincial office); keys for the provincial office; the
public key set for everybody."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from ocop.audit.log import record
from ocop.audit.models import Action
from ocop.stamps import actions, keys, pdf, progress, qr
from ocop.stamps.forms import ActivateForm, IssueForm, PdfForm, VoidForm
from ocop.stamps.models import SigningKey, Stamp, StampBatch, StampState
from ocop.stamps.querysets import may_browse_stamps


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "stamps/forbidden.html", {"message": message}, status=403)


def _readable_batch(request: HttpRequest, pk: int) -> StampBatch:
    # 404 for a batch outside the user's scope: its existence is not revealed.
    queryset = StampBatch.objects.for_user(request.user).select_related(
        "lot__product__producer", "signing_key", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _may_change(request: HttpRequest, batch: StampBatch) -> bool:
    return StampBatch.objects.editable_by(request.user).filter(pk=batch.pk).exists()


NOT_YOURS = gettext_noop("Only the producer and its provincial OCOP office may print, activate or void these stamps.")


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    if not may_browse_stamps(request.user):
        return _forbidden(request, _("Your role gives no access to stamps."))
    batches = StampBatch.objects.for_user(request.user).select_related("lot__product", "lot__producer")[:200]
    return render(request, "stamps/batch_list.html", {"batches": batches})


@login_required
def batch_create(request: HttpRequest, lot_pk: int) -> HttpResponse:
    from ocop.traceability.models import Lot

    lot = get_object_or_404(Lot.objects.for_user(request.user).select_related("product", "producer"), pk=lot_pk)
    if not Lot.objects.editable_by(request.user).filter(pk=lot.pk).exists():
        return _forbidden(request, _("Only the producer and its provincial OCOP office may issue stamps for a lot."))
    room = actions.allowance(lot)
    certificate = actions.certificate_in_force(lot.product)
    form = IssueForm(request.POST or None, remaining=room.remaining)
    if request.method == "POST" and form.is_valid():
        try:
            batch = actions.issue_batch(
                lot, count=form.cleaned_data["count"], signed=form.cleaned_data["signed"], by=request.user
            )
        except actions.StampError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The stamps are being generated."))
            return redirect(batch)
    context = {"lot": lot, "form": form, "room": room, "certificate": certificate}
    return render(request, "stamps/batch_create.html", context, status=400 if form.errors else 200)


def _state_counts(batch: StampBatch) -> dict[str, int]:
    counts = {state.value: 0 for state in StampState}
    for row in Stamp.objects.filter(batch=batch).values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    return {StampState(state).label: n for state, n in counts.items()}


def _detail(request: HttpRequest, batch: StampBatch, **forms: Any) -> dict[str, Any]:
    may_change = _may_change(request, batch)
    context: dict[str, Any] = {
        "batch": batch,
        "lot": batch.lot,
        "state": progress.read(batch),
        "counts": _state_counts(batch) if batch.is_ready else {},
        "may_change": may_change,
        "max_per_file": settings.STAMP_PDF_MAX_PER_FILE,
    }
    if may_change and batch.is_ready:
        context["activate_form"] = forms.get("activate_form") or ActivateForm(count=batch.count)
        context["void_form"] = forms.get("void_form") or VoidForm(count=batch.count)
        context["pdf_form"] = forms.get("pdf_form") or PdfForm(
            count=batch.count, max_per_file=settings.STAMP_PDF_MAX_PER_FILE
        )
        sample = list(actions.printed_stamps(batch, 1, min(batch.count, 10)))
        context["sample"] = sample
        if sample:
            context["qr_version"] = qr.version(sample[0].uri, settings.STAMP_QR_ERROR)
    return context


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _readable_batch(request, pk)
    return render(request, "stamps/batch_detail.html", _detail(request, batch))


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _readable_batch(request, pk)
    state = progress.read(batch)
    state["label"] = batch.get_status_display()
    return JsonResponse(state)


def _changing(request: HttpRequest, pk: int) -> tuple[StampBatch, HttpResponse | None]:
    batch = _readable_batch(request, pk)
    if not _may_change(request, batch):
        return batch, _forbidden(request, _(NOT_YOURS))
    return batch, None


def _range_action(request: HttpRequest, pk: int, form_class: type, name: str, run: Any, done: str) -> HttpResponse:
    batch, refused = _changing(request, pk)
    if refused:
        return refused
    form = form_class(request.POST, count=batch.count)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = run(batch, first=data.get("first"), last=data.get("last"), reason=data.get("reason", ""))
        except actions.StampError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done % {"count": changed})
            return redirect(batch)
    return render(request, "stamps/batch_detail.html", _detail(request, batch, **{name: form}), status=400)


@login_required
@require_POST
def batch_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _range_action(request, pk, ActivateForm, "activate_form", actions.activate, _("%(count)d stamps activated."))


@login_required
@require_POST
def batch_void(request: HttpRequest, pk: int) -> HttpResponse:
    return _range_action(request, pk, VoidForm, "void_form", actions.void, _("%(count)d stamps voided."))


def _label_text(batch: StampBatch) -> pdf.LabelText:
    certificate = actions.certificate_in_force(batch.lot.product)
    star = f"OCOP {'★' * certificate.star}" if certificate else "OCOP"
    return pdf.LabelText(product=batch.lot.product.name, lot=batch.lot.number, star=star)


@login_required
@require_GET
def batch_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    batch, refused = _changing(request, pk)
    if refused:
        return refused
    if not batch.is_ready:
        messages.error(request, _("The stamps of this batch are not generated yet."))
        return redirect(batch)
    form = PdfForm(request.GET, count=batch.count, max_per_file=settings.STAMP_PDF_MAX_PER_FILE)
    if not form.is_valid():
        return render(request, "stamps/batch_detail.html", _detail(request, batch, pdf_form=form), status=400)
    first, last = form.span()
    content = pdf.render(actions.printed_stamps(batch, first, last), _label_text(batch), form.layout())
    record(Action.EXPORT, instance=batch, note=f"PDF of stamps {first}-{last} of batch #{batch.pk}")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stamps-{batch.pk}-{first}-{last}.pdf"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def batch_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every stamp of the batch (or a range) for a professional printer, streamed: seq, serial, URI."""
    batch, refused = _changing(request, pk)
    if refused:
        return refused
    if not batch.is_ready:
        messages.error(request, _("The stamps of this batch are not generated yet."))
        return redirect(batch)
    form = ActivateForm(request.GET, count=batch.count)
    if not form.is_valid():
        return render(request, "stamps/batch_detail.html", _detail(request, batch), status=400)
    first, last = actions.check_range(batch, form.cleaned_data.get("first"), form.cleaned_data.get("last"))
    record(Action.EXPORT, instance=batch, note=f"CSV of stamps {first}-{last} of batch #{batch.pk}")
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(["seq", "serial", "uri", "state"])
        for stamp in actions.printed_stamps(batch, first, last):
            yield writer.writerow([stamp.seq, stamp.serial, stamp.uri, StampState(stamp.state).name.lower()])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stamps-{batch.pk}-{first}-{last}.csv"'
    return response


@login_required
@require_GET
def key_list(request: HttpRequest) -> HttpResponse:
    if not _may_manage_keys(request.user):
        return _forbidden(request, _("Only a provincial OCOP office manages its province's signing keys."))
    managed = SigningKey.objects.managed_by(request.user).select_related("province", "created_by")
    return render(request, "stamps/key_list.html", {"keys": managed, "provinces": _rotatable_provinces(request.user)})


def _may_manage_keys(user: Any) -> bool:
    from ocop.accounts.models import Role

    return user.role == Role.ADMIN or (user.role == Role.PROVINCE and user.province_id is not None)


def _rotatable_provinces(user: Any) -> Any:
    from ocop.accounts.models import Role
    from ocop.geo.models import AdminUnit

    provinces = AdminUnit.objects.current().provinces().order_by("name")
    return provinces if user.role == Role.ADMIN else provinces.filter(pk=user.province_id)


@login_required
@require_POST
def key_rotate(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_manage_keys(user):
        return _forbidden(request, _("Only a provincial OCOP office manages its province's signing keys."))
    chosen = request.POST.get("province") or user.province_id
    province = get_object_or_404(_rotatable_provinces(user), pk=chosen if str(chosen).isdigit() else 0)
    key = keys.rotate(province, by=user)
    messages.success(request, _("New signing key %(kid)s is in force; the previous one is retired.") % {"kid": key.kid})
    return redirect("stamps:key_list")


@require_GET
def public_keys(request: HttpRequest) -> HttpResponse:
    """The provinces' public keys (current and retired), for verifiers anywhere: public, cacheable, CORS."""
    response = JsonResponse(keys.public_key_set(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
