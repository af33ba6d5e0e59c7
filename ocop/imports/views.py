"""Import pages (upload → columns → check → import) and the registry export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocop.audit.log import record
from ocop.audit.models import Action
from ocop.imports import actions, exporter, progress
from ocop.imports.fields import fields_for
from ocop.imports.files import FileRefused
from ocop.imports.forms import MappingForm, UploadForm
from ocop.imports.messages import format_error
from ocop.imports.models import ImportJob, ImportKind, ImportStatus, may_import
from ocop.registry.forms import ProducerFilterForm, ProductFilterForm
from ocop.registry.models import Producer, Product
from ocop.registry.querysets import may_browse_registry
from ocop.registry.views.filters import filter_producers, filter_products


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "imports/forbidden.html", {"message": message}, status=403)


def _refuse_non_importers(request: HttpRequest) -> HttpResponse | None:
    if may_import(request.user):
        return None
    return _forbidden(request, _("Only a provincial OCOP office or an administrator may import spreadsheets."))


def _job(request: HttpRequest, pk: int) -> ImportJob:
    # 404 for another province's job: its existence is not revealed.
    return get_object_or_404(ImportJob.objects.for_user(request.user).select_related("province"), pk=pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if refused := _refuse_non_importers(request):
        return refused
    jobs = ImportJob.objects.for_user(request.user).select_related("province", "created_by")[:100]
    return render(request, "imports/list.html", {"jobs": jobs})


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if refused := _refuse_non_importers(request):
        return refused
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.create_job(
                user=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                province=form.province(),
            )
        except FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("imports:mapping", pk=job.pk)
    context = {"form": form, "max_mb": settings.MAX_IMPORT_BYTES // 1_048_576}
    return render(request, "imports/upload.html", context, status=400 if form.errors else 200)


@login_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    if refused := _refuse_non_importers(request):
        return refused
    job = _job(request, pk)
    if job.is_running or job.status == ImportStatus.DONE:
        return redirect("imports:detail", pk=job.pk)
    form = MappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        actions.save_mapping(job, form.mapping())
        actions.start_check(job)
        return redirect("imports:preview", pk=job.pk)
    context = {
        "job": job,
        "form": form,
        "fields": [form[f.key] for f in fields_for(job.kind)],
        "samples": actions.sample_rows(job),
    }
    return render(request, "imports/mapping.html", context, status=400 if form.errors else 200)


def _error_lines(job: ImportJob) -> list[str]:
    return [format_error(error) for error in job.errors]


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the dry run found. POST: run the dry run again (e.g. after fixing the registry)."""
    if refused := _refuse_non_importers(request):
        return refused
    job = _job(request, pk)
    if request.method == "POST":
        if not job.mapping or not actions.start_check(job):
            messages.error(request, _("This import cannot be checked now."))
        return redirect("imports:preview", pk=job.pk)
    if job.status in (ImportStatus.UPLOADED, ImportStatus.MAPPED):
        return redirect("imports:mapping", pk=job.pk)
    return render(request, "imports/preview.html", _detail_context(job))


def _detail_context(job: ImportJob) -> dict[str, object]:
    summary = job.summary or {}
    return {
        "job": job,
        "state": progress.read(job),
        "errors": _error_lines(job),
        "more_errors": max(0, job.error_count - len(job.errors)),
        "counts": summary.get("counts", {}),
        "rows": summary.get("rows", []),
        "more_rows": max(0, summary.get("total_rows", 0) - len(summary.get("rows", []))),
    }


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if refused := _refuse_non_importers(request):
        return refused
    job = _job(request, pk)
    if not actions.confirm_import(job):
        messages.error(request, _("Only a checked file without any error can be imported."))
        return redirect("imports:preview", pk=job.pk)
    return redirect("imports:detail", pk=job.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    if refused := _refuse_non_importers(request):
        return refused
    job = _job(request, pk)
    return render(request, "imports/detail.html", _detail_context(job))


@login_required
@require_GET
def progress_json(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_import(request.user):
        return JsonResponse({"error": "forbidden"}, status=403)
    job = _job(request, pk)
    state = progress.read(job)
    state["label"] = job.get_status_display()
    return JsonResponse(state)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The registry rows the user may read, filtered like the registry lists, as .xlsx or .csv."""
    user = request.user
    if not may_browse_registry(user):
        return _forbidden(request, _("Your role has no registry list to export."))
    kind = request.GET.get("kind", ImportKind.PRODUCTS)
    file_format = request.GET.get("format", "xlsx")
    if kind not in ImportKind.values or file_format not in exporter.CONTENT_TYPES:
        return HttpResponse(_("Unknown export: choose kind=producers|products and format=xlsx|csv."), status=400)
    if kind == ImportKind.PRODUCERS:
        form = ProducerFilterForm(request.GET, user=user)
        queryset = filter_producers(Producer.objects.for_user(user), form)
    else:
        form = ProductFilterForm(request.GET, user=user)
        queryset = filter_products(Product.objects.for_user(user), form)
    content, count = exporter.export(kind, queryset, file_format)
    filters = {k: v for k, v in request.GET.items() if k not in ("kind", "format") and v}
    record(
        Action.EXPORT,
        model=(Producer if kind == ImportKind.PRODUCERS else Product)._meta.label,
        object_repr=f"{kind}.{file_format}",
        after={"rows": count, "filters": filters},
        note=f"export {kind} ({file_format}): {count} rows",
    )
    filename = f"ocop-{kind}-{timezone.localdate():%Y%m%d}.{file_format}"
    response = HttpResponse(content, content_type=exporter.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
