"""Producer pages: list, detail, create, edit, verify."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.lib import clock
from ocop.registry import actions
from ocop.registry.forms import ProducerFilterForm, ProducerForm, VerifyForm
from ocop.registry.models import Evidence, Producer, Product
from ocop.registry.querysets import may_browse_registry, may_register_producers
from ocop.registry.views.common import can_write, forbidden, get_readable, paginate, sort_queryset
from ocop.registry.views.filters import filter_producers

SORTS = {
    "name": ("name", "pk"),
    "province": ("province__name", "name", "pk"),
    "status": ("status", "name", "pk"),
    "created": ("created_at", "pk"),
    "products": ("product_count", "name", "pk"),
}


@login_required
def producer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_browse_registry(user):
        return forbidden(request, _("Council members reach products through the dossiers assigned to them."))
    form = ProducerFilterForm(request.GET or None, user=user)
    producers = filter_producers(Producer.objects.for_user(user), form)
    producers = producers.select_related("province", "current_commune", "commune").annotate(
        product_count=Count("products")
    )
    sort = form.value("sort")
    if form.value("q") and not sort:
        producers = producers.order_by("search_rank", "name", "pk")
        sort = ""
    else:
        producers, sort = sort_queryset(producers, sort, SORTS, "name")
    context = {
        "form": form,
        "page": paginate(request, producers),
        "sort": sort,
        "can_create": may_register_producers(user),
    }
    return render(request, "registry/producer_list.html", context)


def _detail_context(request: HttpRequest, producer: Producer, **extra: object) -> dict[str, object]:
    user = request.user
    today = clock.today()
    limit = today + timezone.timedelta(days=settings.EVIDENCE_EXPIRY_WARNING_DAYS)
    evidence = Evidence.objects.for_user(user).filter(producer=producer)
    context: dict[str, object] = {
        "producer": producer,
        "products": Product.objects.for_user(user)
        .filter(producer=producer)
        .select_related("product_set")
        .order_by("name"),
        "evidence_counts": evidence.aggregate(
            total=Count("pk"),
            expired=Count("pk", filter=Q(expires_on__lt=today)),
            expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=limit)),
        ),
        "can_edit": can_write(Producer.objects, request, producer),
        "can_verify": Producer.objects.verifiable_by(user).filter(pk=producer.pk).exists(),
        "can_add_records": Producer.objects.accepting_records_from(user).filter(pk=producer.pk).exists(),
        "verify_form": VerifyForm(),
    }
    context.update(extra)
    return context


@login_required
def producer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    producer = get_readable(
        Producer.objects.select_related(
            "commune__parent__parent", "current_commune__parent", "province", "verified_by"
        ),
        request,
        pk,
    )
    return render(request, "registry/producer_detail.html", _detail_context(request, producer))


@login_required
def producer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_register_producers(user):
        return forbidden(
            request, _("Producers are entered by the provincial OCOP office; a producer registers itself.")
        )
    form = ProducerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        producer = actions.create_producer(form.changes(), actor=user)
        messages.success(request, _("The producer was registered and awaits verification."))
        return redirect("registry:producer_detail", pk=producer.pk)
    return render(request, "registry/producer_form.html", {"form": form, "producer": None})


@login_required
def producer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    producer = get_readable(Producer.objects.select_related("commune", "current_commune"), request, pk)
    if not can_write(Producer.objects, request, producer):
        return forbidden(request, back=producer.get_absolute_url())
    form = ProducerForm(request.POST or None, instance=producer, user=request.user)
    if request.method == "POST" and form.is_valid():
        was_rejected = producer.status == "rejected"
        actions.update_producer(producer, form.changes(), actor=request.user)
        if was_rejected and producer.status == "pending":
            messages.success(request, _("The profile was saved and sent again for verification."))
        else:
            messages.success(request, _("The profile was saved."))
        return redirect("registry:producer_detail", pk=producer.pk)
    return render(request, "registry/producer_form.html", {"form": form, "producer": producer})


@login_required
@require_POST
def producer_verify(request: HttpRequest, pk: int) -> HttpResponse:
    producer = get_readable(Producer.objects.select_related("commune", "current_commune", "province"), request, pk)
    if not Producer.objects.verifiable_by(request.user).filter(pk=producer.pk).exists():
        return forbidden(
            request,
            _("Registrations are verified by the producer's commune or the provincial OCOP office."),
            back=producer.get_absolute_url(),
        )
    form = VerifyForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, producer, verify_form=form)
        return render(request, "registry/producer_detail.html", context)
    if form.cleaned_data["decision"] == VerifyForm.VERIFY:
        actions.verify_producer(producer, actor=request.user, note=form.cleaned_data["reason"])
        messages.success(request, _("The producer was verified: it can now add products and evidence."))
    else:
        actions.reject_producer(producer, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The registration was rejected; the producer sees the reason."))
    return redirect("registry:producer_detail", pk=producer.pk)
