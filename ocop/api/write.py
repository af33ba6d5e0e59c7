"""Token-authenticated endpoints that change the registry, lots and stamps.

Scoped exactly like the web pages, because they ask the same querysets and fill the same forms and actions:
a record outside the token user's read scope answers 404 (its existence is not revealed); one they may read but
not change answers 403 with the reason the page gives; invalid input answers 422 with the form's own messages.
Every change is audited with the token's user as the actor (BearerToken sets request.user).

    GET   /api/v1/registry/producers                   producers in scope (?status=pending to verify)
    POST  /api/v1/registry/producers/{id}/verify       verify or reject a registration (commune, province)
    POST  /api/v1/registry/products                    add a product (producer: to itself; office: names one)
    GET   /api/v1/registry/products/{id}               a product in scope
    PATCH /api/v1/registry/products/{id}               change a product
    POST  /api/v1/lots                                 open a lot
    GET   /api/v1/lots/{id}                            a lot in scope
    PATCH /api/v1/lots/{id}                            change a lot
    POST  /api/v1/lots/{id}/stamp-batches              issue a batch of stamps for a lot
    GET   /api/v1/stamp-batches/{id}                   a batch (status of its generation)
    POST  /api/v1/stamp-batches/{id}/activate          activate a range of stamps (empty body: the whole batch)
    POST  /api/v1/stamp-batches/{id}/void              void a range of stamps (a reason is required)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from ocop.accounts.models import Role
from ocop.api.auth import bearer
from ocop.api.common import (
    ObjectId,
    PageParams,
    apply_validation_error,
    error,
    forbidden,
    invalid_form,
    not_found,
    paginate,
)
from ocop.api.schemas import (
    BatchIn,
    BatchOut,
    ErrorOut,
    LotIn,
    LotOut,
    LotPatch,
    ProducerOut,
    ProducerPage,
    ProductIn,
    ProductOut,
    ProductPatch,
    RangeIn,
    RangeOut,
    VerifyIn,
)
from ocop.registry import actions as registry_actions
from ocop.registry.forms import ProductForm, VerifyForm
from ocop.registry.models import Evidence, Producer, Product
from ocop.stamps import actions as stamp_actions
from ocop.stamps.forms import ActivateForm, IssueForm, VoidForm
from ocop.stamps.models import StampBatch
from ocop.traceability import actions as lot_actions
from ocop.traceability.forms import LotForm
from ocop.traceability.models import Lot
from ocop.traceability.querysets import lot_products

router = Router(auth=bearer)

# Every answer a write endpoint may give besides its success.
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _form_data(values: dict[str, Any]) -> dict[str, Any]:
    # Forms read "" as empty; None would be read as the text "None" by some fields.
    return {key: "" if value is None else value for key, value in values.items()}


def _absolute(request: HttpRequest, obj: Any) -> str:
    return request.build_absolute_uri(obj.get_absolute_url())


def _refusal(found: Any, changeable: QuerySet, reason: str | None = None) -> Status | None:
    """Why the token's user may not change `found` (read in their scope, None when it is not): 404 when they
    cannot read it (its existence is not revealed), 403 when they may read but not change it; None when they may."""
    if found is None:
        return not_found()
    if not changeable.filter(pk=found.pk).exists():
        return forbidden(reason)
    return None


def _submit(form: Any, run: Callable[[], Any]) -> Any:
    """`run()` when the form is valid; 422 with the form's messages, and the action's refusal among them."""
    if form.is_valid():
        try:
            return run()
        except ValidationError as exc:
            apply_validation_error(form, exc)
    return invalid_form(form)


# --- Producers ----------------------------------------------------------------------------------------------------
def producer_data(request: HttpRequest, producer: Producer) -> dict[str, Any]:
    commune = producer.current_commune or producer.commune
    return {
        "id": producer.pk,
        "name": producer.name,
        "kind": producer.kind,
        "status": producer.status,
        "status_note": producer.status_note,
        "commune": commune.name if commune else "",
        "province": producer.province.name if producer.province_id else "",
        "url": _absolute(request, producer),
    }


class ProducerFilters(PageParams):
    status: Literal["", "pending", "verified", "rejected", "suspended"] = ""


@router.get(
    "/registry/producers", response={200: ProducerPage, **REFUSALS}, url_name="producer_list", tags=["registry"]
)
def producer_list(request: HttpRequest, filters: Query[ProducerFilters]) -> Any:
    """Producers the token's user may read, by name; `status=pending` lists the registrations waiting for them."""
    producers = Producer.objects.for_user(request.user).select_related("commune", "current_commune", "province")
    if filters.status:
        producers = producers.filter(status=filters.status)
    return paginate(producers.order_by("name", "pk"), filters, lambda p: producer_data(request, p))


@router.post(
    "/registry/producers/{producer_id}/verify",
    response={200: ProducerOut, **REFUSALS},
    url_name="producer_verify",
    tags=["registry"],
)
def producer_verify(request: HttpRequest, producer_id: ObjectId, payload: VerifyIn) -> Any:
    """Verify (`decision: "verify"`) or reject (`"reject"`, with the reason the producer will see) a registration."""
    user = request.user
    producer = (
        Producer.objects.for_user(user)
        .select_related("commune", "current_commune", "province")
        .filter(pk=producer_id)
        .first()
    )
    refusal = _refusal(
        producer,
        Producer.objects.verifiable_by(user),
        _("Registrations are verified by the producer's commune or the provincial OCOP office."),
    )
    if refusal is not None:
        return refusal
    form = VerifyForm(_form_data(payload.dict()))

    def run() -> Any:
        if form.cleaned_data["decision"] == VerifyForm.VERIFY:
            registry_actions.verify_producer(producer, actor=user, note=form.cleaned_data["reason"])
        else:
            registry_actions.reject_producer(producer, actor=user, reason=form.cleaned_data["reason"])
        return producer_data(request, producer)

    return _submit(form, run)


# --- Products -----------------------------------------------------------------------------------------------------
def product_data(request: HttpRequest, product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "producer": {"id": product.producer_id, "name": product.producer.name},
        "product_set": product.product_set_id,
        "code": product.code,
        "gtin": product.gtin,
        "description": product.description,
        "story": product.story,
        "specifications": product.specifications,
        "status": product.status,
        "province": product.province.name,
        "updated_at": product.updated_at,
        "url": _absolute(request, product),
    }


def _readable_product(user: Any, product_id: int) -> Product | None:
    return Product.objects.for_user(user).select_related("producer", "province").filter(pk=product_id).first()


@router.post("/registry/products", response={201: ProductOut, **REFUSALS}, url_name="product_create", tags=["registry"])
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    """Add a product. A producer's token adds to its own producer (once verified); an office names the producer."""
    from ocop.registry.views.products import closed_reason

    user = request.user
    reason = closed_reason(user)
    if reason is not None:
        return forbidden(reason)
    producers = Producer.objects.accepting_records_from(user)
    if not producers.exists():
        return forbidden(_("Your role reads the registry but does not keep it."))
    own = user.role == Role.PRODUCER
    values = payload.dict()
    if own:
        values.pop("producer")
    form = ProductForm(_form_data(values), producers=None if own else producers)

    def run() -> Any:
        producer = producers.get() if own else form.cleaned_data["producer"]
        product = registry_actions.create_product(producer, form.changes(), actor=user)
        return Status(201, product_data(request, _readable_product(user, product.pk) or product))

    return _submit(form, run)


@router.get(
    "/registry/products/{product_id}",
    response={200: ProductOut, **REFUSALS},
    url_name="product_detail",
    tags=["registry"],
)
def product_detail(request: HttpRequest, product_id: ObjectId) -> Any:
    """A product the token's user may read (including drafts of their own or of their area)."""
    product = _readable_product(request.user, product_id)
    return not_found() if product is None else product_data(request, product)


@router.patch(
    "/registry/products/{product_id}",
    response={200: ProductOut, **REFUSALS},
    url_name="product_update",
    tags=["registry"],
)
def product_update(request: HttpRequest, product_id: ObjectId, payload: ProductPatch) -> Any:
    """Change some fields of a product; the fields left out keep their values. Checked like the edit page."""
    user = request.user
    product = _readable_product(user, product_id)
    refusal = _refusal(product, Product.objects.editable_by(user))
    if refusal is not None:
        return refusal
    values = {
        "name": product.name,
        "product_set": product.product_set_id,
        "gtin": product.gtin,
        "description": product.description,
        "story": product.story,
        "specifications": product.specifications,
        "status": product.status,
    }
    values.update(payload.dict(exclude_unset=True))
    form = ProductForm(_form_data(values), instance=product)

    def run() -> Any:
        registry_actions.update_product(product, form.changes(), actor=user)
        return product_data(request, product)

    return _submit(form, run)


# --- Lots ---------------------------------------------------------------------------------------------------------
def lot_data(request: HttpRequest, lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.pk,
        "number": lot.number,
        "product": {"id": lot.product_id, "name": lot.product.name},
        "produced_on": lot.produced_on,
        "expires_on": lot.expires_on,
        "quantity": None if lot.quantity is None else str(lot.quantity),
        "unit": lot.unit,
        "place_code": lot.place_code,
        "note": lot.note,
        "evidence": sorted(lot.evidence.values_list("pk", flat=True)),
        "url": _absolute(request, lot),
    }


def _readable_lot(user: Any, lot_id: int) -> Lot | None:
    return Lot.objects.for_user(user).select_related("product", "producer").filter(pk=lot_id).first()


@router.post("/lots", response={201: LotOut, **REFUSALS}, url_name="lot_create", tags=["traceability"])
def lot_create(request: HttpRequest, payload: LotIn) -> Any:
    """Open a lot of an active product of a verified producer the token's user keeps."""
    from ocop.traceability.views import _not_open

    user = request.user
    products = lot_products(user).select_related("producer")
    if not products.exists():
        return forbidden(_not_open(user))
    evidence = Evidence.objects.for_user(user).filter(producer__in=products.values("producer")).order_by("title")
    form = LotForm(_form_data(payload.dict()), products=products, evidence=evidence)

    def run() -> Any:
        lot = lot_actions.create_lot(
            form.cleaned_data["product"], form.lot_fields(), evidence=form.cleaned_data["evidence"], actor=user
        )
        return Status(201, lot_data(request, lot))

    return _submit(form, run)


@router.get("/lots/{lot_id}", response={200: LotOut, **REFUSALS}, url_name="lot_detail", tags=["traceability"])
def lot_detail(request: HttpRequest, lot_id: ObjectId) -> Any:
    """A lot the token's user may read."""
    lot = _readable_lot(request.user, lot_id)
    return not_found() if lot is None else lot_data(request, lot)


@router.patch("/lots/{lot_id}", response={200: LotOut, **REFUSALS}, url_name="lot_update", tags=["traceability"])
def lot_update(request: HttpRequest, lot_id: ObjectId, payload: LotPatch) -> Any:
    """Change some fields of a lot (never its product); the fields left out keep their values."""
    user = request.user
    lot = _readable_lot(user, lot_id)
    refusal = _refusal(lot, Lot.objects.editable_by(user))
    if refusal is not None:
        return refusal
    values: dict[str, Any] = {
        "number": lot.number,
        "produced_on": lot.produced_on.isoformat(),
        "expires_on": lot.expires_on.isoformat() if lot.expires_on else "",
        "quantity": "" if lot.quantity is None else str(lot.quantity),
        "unit": lot.unit,
        "place_code": lot.place_code,
        "evidence": list(lot.evidence.values_list("pk", flat=True)),
        "note": lot.note,
    }
    values.update(payload.dict(exclude_unset=True))
    for name in ("produced_on", "expires_on"):
        if hasattr(values[name], "isoformat"):
            values[name] = values[name].isoformat()
    values["product"] = lot.product_id
    form = LotForm(
        _form_data(values),
        instance=lot,
        products=Product.objects.filter(pk=lot.product_id),
        evidence=Evidence.objects.for_user(user).filter(producer_id=lot.producer_id).order_by("title"),
        initial={"evidence": list(lot.evidence.all())},
    )

    def run() -> Any:
        lot_actions.update_lot(lot, form.lot_fields(), evidence=form.cleaned_data["evidence"])
        return lot_data(request, lot)

    return _submit(form, run)


# --- Stamps -------------------------------------------------------------------------------------------------------
def batch_data(request: HttpRequest, batch: StampBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "lot": batch.lot_id,
        "count": batch.count,
        "signed": batch.signed,
        "status": batch.status,
        "created_at": batch.created_at,
        "url": _absolute(request, batch),
    }


@router.post(
    "/lots/{lot_id}/stamp-batches",
    response={201: BatchOut, **REFUSALS},
    url_name="batch_create",
    tags=["stamps"],
)
def batch_create(request: HttpRequest, lot_id: ObjectId, payload: BatchIn) -> Any:
    """Issue a batch of stamps for a lot (its product's certificate must be in force; the lot's quantity caps it)."""
    user = request.user
    lot = _readable_lot(user, lot_id)
    refusal = _refusal(
        lot,
        Lot.objects.editable_by(user),
        _("Only the producer and its provincial OCOP office may issue stamps for a lot."),
    )
    if refusal is not None:
        return refusal
    form = IssueForm(_form_data(payload.dict()), remaining=stamp_actions.allowance(lot).remaining)

    def run() -> Any:
        try:
            batch = stamp_actions.issue_batch(
                lot, count=form.cleaned_data["count"], signed=form.cleaned_data["signed"], by=user
            )
        except stamp_actions.StampError as exc:
            return error(400, exc.message, "refused")
        batch.refresh_from_db()
        return Status(201, batch_data(request, batch))

    return _submit(form, run)


def _readable_batch(user: Any, batch_id: int) -> StampBatch | None:
    return StampBatch.objects.for_user(user).select_related("lot__product").filter(pk=batch_id).first()


@router.get(
    "/stamp-batches/{batch_id}",
    response={200: BatchOut, **REFUSALS},
    url_name="batch_detail",
    tags=["stamps"],
)
def batch_detail(request: HttpRequest, batch_id: ObjectId) -> Any:
    """A batch of stamps the token's user may read; `status` says when its stamps are generated ("ready")."""
    batch = _readable_batch(request.user, batch_id)
    return not_found() if batch is None else batch_data(request, batch)


def _range_action(
    request: HttpRequest, batch_id: ObjectId, payload: RangeIn, form_class: type, run: Any, done: str
) -> Any:
    from ocop.stamps.views import NOT_YOURS

    user = request.user
    batch = _readable_batch(user, batch_id)
    refusal = _refusal(batch, StampBatch.objects.editable_by(user), _(NOT_YOURS))
    if refusal is not None:
        return refusal
    form = form_class(_form_data(payload.dict()), count=batch.count)

    def change() -> Any:
        data = form.cleaned_data
        try:
            changed = run(batch, first=data.get("first"), last=data.get("last"), reason=data.get("reason", ""))
        except stamp_actions.StampError as exc:
            return error(400, exc.message, "refused")
        return {"changed": changed, "detail": done % {"count": changed}}

    return _submit(form, change)


@router.post(
    "/stamp-batches/{batch_id}/activate",
    response={200: RangeOut, **REFUSALS},
    url_name="batch_activate",
    tags=["stamps"],
)
def batch_activate(request: HttpRequest, batch_id: ObjectId, payload: RangeIn) -> Any:
    """Activate the issued stamps from `first` to `last` (both left out: the whole batch)."""
    return _range_action(
        request, batch_id, payload, ActivateForm, stamp_actions.activate, _("%(count)d stamps activated.")
    )


@router.post(
    "/stamp-batches/{batch_id}/void",
    response={200: RangeOut, **REFUSALS},
    url_name="batch_void",
    tags=["stamps"],
)
def batch_void(request: HttpRequest, batch_id: ObjectId, payload: RangeIn) -> Any:
    """Void the stamps from `first` to `last` (both left out: the whole batch); `reason` is required."""
    return _range_action(request, batch_id, payload, VoidForm, stamp_actions.void, _("%(count)d stamps voided."))
