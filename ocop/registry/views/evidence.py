"""The evidence library: documents a producer keeps once and links to any of its products."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ocop.accounts.models import Role
from ocop.registry import actions, files
from ocop.registry.forms import EvidenceFilterForm, EvidenceForm
from ocop.registry.models import Evidence, Producer
from ocop.registry.querysets import may_browse_registry
from ocop.registry.views.common import can_write, forbidden, get_readable, paginate, serve_file, sort_queryset
from ocop.registry.views.filters import filter_evidence
from ocop.registry.views.products import closed_reason

SORTS = {
    "title": ("title", "pk"),
    "type": ("doc_type", "title", "pk"),
    "producer": ("producer__name", "title", "pk"),
    "expires": ("expires_on", "title", "pk"),
    "created": ("created_at", "pk"),
}


@login_required
def evidence_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_browse_registry(user):
        return forbidden(request, _("Council members reach evidence through the dossiers assigned to them."))
    form = EvidenceFilterForm(request.GET or None)
    documents = filter_evidence(Evidence.objects.for_user(user), form, settings.EVIDENCE_EXPIRY_WARNING_DAYS)
    documents = documents.select_related("producer").annotate(product_count=Count("products"))
    documents, sort = sort_queryset(documents, form.value("sort"), SORTS, "-created")
    producer = None
    if form.value("producer"):
        producer = Producer.objects.for_user(user).filter(pk=form.value("producer")).first()
    context = {
        "form": form,
        "page": paginate(request, documents),
        "sort": sort,
        "filter_producer": producer,
        "can_create": Producer.objects.accepting_records_from(user).exists(),
        "closed_reason": closed_reason(user),
        "show_producer": user.role != Role.PRODUCER,
    }
    return render(request, "registry/evidence_list.html", context)


def _evidence(request: HttpRequest, pk: int) -> Evidence:
    return get_readable(Evidence.objects.select_related("producer", "uploaded_by"), request, pk)


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    context = {
        "evidence": evidence,
        "products": evidence.products.order_by("name"),
        "can_edit": can_write(Evidence.objects, request, evidence),
        "kind": _kind_label(evidence.content_type),
    }
    return render(request, "registry/evidence_detail.html", context)


def _kind_label(content_type: str) -> str:
    for kind in files.EVIDENCE_KINDS.values():
        if kind.content_type == content_type:
            return kind.label
    return content_type


@login_required
def evidence_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    back = "registry:evidence_list"
    if not may_browse_registry(user):
        return forbidden(request, back=back)
    reason = closed_reason(user)
    if reason is not None:
        return forbidden(request, reason, back=back)
    producers = Producer.objects.accepting_records_from(user)
    if user.role == Role.PRODUCER:
        producer = producers.get()
    else:
        raw = request.POST.get("producer") or request.GET.get("producer") or ""
        if not raw.isdigit():
            if not producers.exists():
                return forbidden(request, _("Your role reads the registry but does not keep it."), back=back)
            # Offices first say whose library the document goes to.
            return render(request, "registry/evidence_choose_producer.html", {"producers": producers.order_by("name")})
        producer = producers.filter(pk=int(raw)).first()
        if producer is None:
            if Producer.objects.for_user(user).filter(pk=int(raw)).exists():
                return forbidden(request, back=back)
            raise Http404
    initial = {}
    if str(request.GET.get("product", "")).isdigit():
        initial["products"] = [int(request.GET["product"])]
    form = EvidenceForm(request.POST or None, request.FILES or None, producer=producer, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            evidence = actions.add_evidence(
                producer,
                form.cleaned_data["file"],
                form.changes(),
                products=form.cleaned_data["products"],
                actor=user,
            )
        except actions.DuplicateEvidence as error:
            duplicate = error.existing
            form.add_error("file", error)
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "file", error)
        else:
            messages.success(request, _("The document was added to the evidence library."))
            return redirect(evidence)
    context = {"form": form, "producer": producer, "evidence": None, "duplicate": duplicate}
    return render(request, "registry/evidence_form.html", context)


@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    if not can_write(Evidence.objects, request, evidence):
        return forbidden(request, back=evidence.get_absolute_url())
    initial = {"products": list(evidence.products.values_list("pk", flat=True))}
    form = EvidenceForm(
        request.POST or None, instance=evidence, producer=evidence.producer, with_file=False, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_evidence(
                evidence, form.changes(), products=form.cleaned_data["products"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The document was saved."))
            return redirect(evidence)
    context = {"form": form, "producer": evidence.producer, "evidence": evidence, "duplicate": None}
    return render(request, "registry/evidence_form.html", context)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    extension = evidence.file.name.rsplit(".", 1)[-1] if "." in evidence.file.name else "bin"
    name = files.safe_download_name(evidence.original_name, extension)
    # Always a download, never displayed inline: a PDF or Office file from a
    # user must not open inside the platform's pages.
    return serve_file(evidence.file, content_type=evidence.content_type, filename=name, attachment=True)
