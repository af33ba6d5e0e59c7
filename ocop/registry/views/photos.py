"""Product photos: upload, serve (full size and thumbnail), delete. Files are never public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ocop.registry import actions
from ocop.registry.forms import PhotoForm
from ocop.registry.models import Product, ProductPhoto
from ocop.registry.views.common import can_write, forbidden, get_readable, serve_file
from ocop.registry.views.products import _detail_context, product_for


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    product = product_for(request, pk)
    if not can_write(Product.objects, request, product):
        return forbidden(request, back=product.get_absolute_url())
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_photo(
                product, form.cleaned_data["image"], caption=form.cleaned_data["caption"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("image", error)
        else:
            messages.success(request, _("The photo was added."))
            return redirect(product)
    context = _detail_context(request, product, photo_form=form)
    return render(request, "registry/product_detail.html", context)


def _photo(request: HttpRequest, pk: int) -> ProductPhoto:
    return get_readable(ProductPhoto.objects.select_related("product"), request, pk)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = _photo(request, pk)
    name = f"{item.product_id}-{item.pk}.{item.image.name.rsplit('.', 1)[-1]}"
    return serve_file(item.image, content_type=item.content_type, filename=name, attachment=False)


@login_required
def photo_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    item = _photo(request, pk)
    return serve_file(
        item.thumbnail, content_type="image/jpeg", filename=f"{item.product_id}-{item.pk}-thumb.jpg", attachment=False
    )


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _photo(request, pk)
    if not can_write(ProductPhoto.objects, request, item):
        return forbidden(request, back=item.product.get_absolute_url())
    product = item.product
    actions.delete_photo(item, actor=request.user)
    messages.success(request, _("The photo was deleted."))
    return redirect(product)
