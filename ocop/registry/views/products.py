"""Product pages: list, detail (photos, certificates, evidence), create, edit, product code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.accounts.models import Role
from ocop.certificates.models import Certificate, CertificateStatus
from ocop.lib import clock
from ocop.registry import actions
from ocop.registry.forms import AssignCodeForm, PhotoForm, ProductFilterForm, ProductForm
from ocop.registry.models import Evidence, Producer, ProducerStatus, Product
from ocop.registry.querysets import may_browse_registry
from ocop.registry.views.common import can_write, forbidden, get_readable, paginate, sort_queryset
from ocop.registry.views.filters import filter_products

SORTS = {
    "name": ("name", "pk"),
    "code": ("code", "name", "pk"),
    "producer": ("producer__name", "name", "pk"),
    "province": ("province__name", "name", "pk"),
    "stars": ("current_star", "name", "pk"),
    "created": ("created_at", "pk"),
}


def closed_reason(user: object) -> str | None:
    """Why `user` cannot add products or evidence, or None when they can (or are an office).

    Shown on the page the user comes from and on the refusal itself.
    """
    if getattr(user, "role", None) != Role.PRODUCER:
        return None
    producer = getattr(user, "producer", None)
    if producer is None:
        return _("Your account is not linked to a producer yet.")
    if producer.status == ProducerStatus.PENDING:
        return _(
            "Your producer registration is awaiting verification by your commune. "
            "You can add products and evidence once it has been verified."
        )
    if producer.status == ProducerStatus.REJECTED:
        return _("Your producer registration was rejected (%(reason)s). Correct your profile to send it again.") % {
            "reason": producer.status_note or _("no reason given")
        }
    if producer.status != ProducerStatus.VERIFIED:
        return _("Your producer registration is suspended: contact your provincial OCOP office.")
    return None


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_browse_registry(user):
        return forbidden(request, _("Council members reach products through the dossiers assigned to them."))
    form = ProductFilterForm(request.GET or None, user=user)
    today = clock.today()
    star = Certificate.objects.filter(product=OuterRef("pk")).valid_on(today).order_by("-star").values("star")[:1]
    products = (
        filter_products(Product.objects.for_user(user), form)
        .select_related("producer", "product_set__group__category", "province", "current_commune")
        .annotate(current_star=Subquery(star))
    )
    sort = form.value("sort")
    if form.value("q") and not sort:
        products = products.order_by("search_rank", "name", "pk")
        sort = ""
    else:
        products, sort = sort_queryset(products, sort, SORTS, "name")
    context = {
        "form": form,
        "page": paginate(request, products),
        "sort": sort,
        "can_create": Producer.objects.accepting_records_from(user).exists(),
        "closed_reason": closed_reason(user),
    }
    return render(request, "registry/product_list.html", context)


def _detail_context(request: HttpRequest, product: Product, **extra: object) -> dict[str, object]:
    user = request.user
    certificates = [
        (cert, status, CertificateStatus(status).label)
        for cert in product.certificates.all()
        for status in [cert.status_on()]
    ]
    context: dict[str, object] = {
        "product": product,
        "photos": list(product.photos.all()),
        "certificates": certificates,
        "evidence": Evidence.objects.for_user(user).filter(products=product).order_by("expires_on", "title"),
        "can_edit": can_write(Product.objects, request, product),
        "can_code": Product.objects.codable_by(user).filter(pk=product.pk).exists(),
        "can_add_evidence": Producer.objects.accepting_records_from(user).filter(pk=product.producer_id).exists(),
        "photo_form": PhotoForm(),
        "code_form": AssignCodeForm(initial={"year": timezone.localdate().year}),
    }
    context.update(extra)
    return context


def product_for(request: HttpRequest, pk: int) -> Product:
    return get_readable(
        Product.objects.select_related(
            "producer__province", "producer__current_commune", "product_set__group__category"
        ),
        request,
        pk,
    )


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = product_for(request, pk)
    return render(request, "registry/product_detail.html", _detail_context(request, product))


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    back = "registry:product_list"
    reason = closed_reason(user)
    if reason is not None:
        return forbidden(request, reason, back=back)
    producers = Producer.objects.accepting_records_from(user)
    if not producers.exists():
        return forbidden(request, _("Your role reads the registry but does not keep it."), back=back)
    own = user.role == Role.PRODUCER
    initial = {}
    if not own and str(request.GET.get("producer", "")).isdigit():
        initial["producer"] = int(request.GET["producer"])
    form = ProductForm(request.POST or None, producers=None if own else producers, initial=initial)
    if request.method == "POST" and form.is_valid():
        producer = producers.get() if own else form.cleaned_data["producer"]
        product = actions.create_product(producer, form.changes(), actor=user)
        messages.success(request, _("The product was added."))
        return redirect(product)
    return render(request, "registry/product_form.html", {"form": form, "product": None})


@login_required
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = product_for(request, pk)
    if not can_write(Product.objects, request, product):
        return forbidden(request, back=product.get_absolute_url())
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        actions.update_product(product, form.changes(), actor=request.user)
        messages.success(request, _("The product was saved."))
        return redirect(product)
    return render(request, "registry/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
def product_assign_code(request: HttpRequest, pk: int) -> HttpResponse:
    product = product_for(request, pk)
    if not Product.objects.codable_by(request.user).filter(pk=product.pk).exists():
        return forbidden(
            request, _("Product codes are assigned by the provincial OCOP office."), back=product.get_absolute_url()
        )
    form = AssignCodeForm(request.POST)
    if form.is_valid():
        try:
            code = actions.assign_product_code(product, form.cleaned_data["year"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Product code %(code)s assigned.") % {"code": code})
            return redirect(product)
    return render(request, "registry/product_detail.html", _detail_context(request, product, code_form=form))
