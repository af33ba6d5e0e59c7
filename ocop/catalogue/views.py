"""The public catalogue pages, the counted way out to the shops, the sitemap, and the pages where producers
keep their shop links and offices their OCOP sales points.

Every public page reads `public_products()` / `public_producers()` (querysets.py) and nothing else, and
shows only the public fields of a producer: never its phone, e-mail, street or representative.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocop.catalogue import filters
from ocop.catalogue.forms import PAGE_SIZE, CatalogueFilterForm, SalesPointForm, ShopLinkForm, find_unit, unit_key
from ocop.catalogue.models import SalesPoint, ShopLink
from ocop.catalogue.querysets import (
    counted_page,
    may_manage_sales_points,
    may_manage_shop_links,
    placeable_sales_point_communes,
    public_page,
    public_producers,
    public_products,
)
from ocop.certificates.models import Certificate, CertificateStatus
from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.registry.models import Producer, Product, ProductPhoto
from ocop.registry.views.common import forbidden, serve_file

PUBLIC_CACHE = "public, max-age=300"
UNITS_CACHE_SECONDS = 300


def _list_queryset(queryset: Any) -> Any:
    """What a list row shows, in one query: producer, places, taxonomy and the first photo."""
    first_photo = ProductPhoto.objects.filter(product=OuterRef("pk")).order_by("position", "pk").values("pk")[:1]
    return queryset.select_related("producer", "province", "current_commune", "product_set__group__category").annotate(
        photo_id=Subquery(first_photo)
    )


def _page_rows(ids: list[int]) -> list[Any]:
    return public_page(_list_queryset(Product.objects.all()), ids)


class _CountedRows:
    """One page of rows read already and the number of all rows, as the Paginator reads a list.

    The Paginator asks for the count, then for the slice of the page it was
    given the number of: counted_page() read both in one go.
    """

    def __init__(self, rows: list[Any], count: int) -> None:
        self.rows = rows
        self.total = count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[Any]:
        return self.rows[: index.stop - index.start]


def _filter_units(queryset: Any, key: str) -> tuple[list[AdminUnit], list[AdminUnit]]:
    """Provinces and communes (both maps) that hold public products: the filter's choices.

    Kept for a few minutes: the list only offers choices (any real unit is accepted), so a product certified
    a moment ago may wait that long to add its commune to it.
    """
    cache_key = f"catalogue:units:{key}:{clock.today()}"
    ids = cache.get(cache_key)
    if ids is None:
        rows = queryset.values_list(
            "province_id", "producer__commune__province_id", "current_commune_id", "producer__commune_id"
        ).distinct()
        ids = sorted({pk for row in rows for pk in row if pk is not None})
        cache.set(cache_key, ids, UNITS_CACHE_SECONDS)
    units = list(AdminUnit.objects.filter(pk__in=ids).select_related("parent__parent"))
    return [u for u in units if u.level == "province"], [u for u in units if u.level == "commune"]


def _catalogue_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    base: Any,
    *,
    units_key: str,
    unit: AdminUnit | None = None,
) -> HttpResponse:
    """Filter, order and paginate `base` from the GET parameters; 400 with the reasons on bad input."""
    provinces, communes = _filter_units(base, units_key)
    form = CatalogueFilterForm(request.GET or None, provinces=provinces, communes=communes)
    status = 200
    page = None
    if request.GET and not form.is_valid():
        status = 400
    else:
        data = dict(form.cleaned_data) if request.GET else {}
        # `unit`: what narrows `base` to a province's or commune's page.
        queryset = filters.filter_and_order(base, data, unit=unit)
        number = data.get("page") or 1
        # The page's rows are loaded by key: the filtered, searched queryset gave only the keys.
        start, together = (number - 1) * PAGE_SIZE, not filters.read_in_order(queryset)
        rows, count = counted_page(queryset, start, PAGE_SIZE, rows=_page_rows, together=together)
        paginator = Paginator(_CountedRows(rows, count), PAGE_SIZE)
        if number > max(paginator.num_pages, 1):
            status = 400
            form.add_error(
                "page",
                _("There is no page %(number)s: the last page is %(last)s.")
                % {"number": number, "last": max(paginator.num_pages, 1)},
            )
        else:
            page = paginator.page(number)
    context.update({"form": form, "page": page})
    return render(request, template, context, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "can_manage_links": may_manage_shop_links(request.user),
        "can_manage_points": may_manage_sales_points(request.user),
    }
    return _catalogue_page(request, "catalogue/index.html", context, public_products(), units_key="all")


@require_GET
def province(request: HttpRequest, code: str) -> HttpResponse:
    unit = find_unit(code, "province")
    if unit is None:
        raise Http404(_("There is no province with this code."))
    base = public_products().filter(filters.unit_q(unit))
    stars = dict(base.values_list("best_star").annotate(n=Count("pk")).values_list("best_star", "n"))
    context = {
        "unit": unit,
        "unit_key": unit_key(unit),
        "stars": [(s, stars.get(s, 0)) for s in (5, 4, 3)],
        "expired_count": stars.get(None, 0),
        "former_units": list(unit.predecessor_units.filter(level="province").exclude(pk=unit.pk).order_by("name"))
        if unit.is_current
        else [],
        "sales_points": _sales_points(Q(province=unit.successor_province_id)) if unit.is_current else [],
    }
    return _catalogue_page(
        request, "catalogue/unit.html", context, base, units_key=f"{unit.level}:{unit_key(unit)}", unit=unit
    )


@require_GET
def commune(request: HttpRequest, code: str) -> HttpResponse:
    unit = find_unit(code, "commune")
    if unit is None:
        raise Http404(_("There is no commune with this code."))
    base = public_products().filter(filters.unit_q(unit))
    context = {
        "unit": unit,
        "unit_key": unit_key(unit),
        "province_unit": unit.province if unit.province_id else None,
        "sales_points": _sales_points(Q(commune=unit)) if unit.is_current else [],
    }
    return _catalogue_page(
        request, "catalogue/unit.html", context, base, units_key=f"{unit.level}:{unit_key(unit)}", unit=unit
    )


def _sales_points(condition: Q) -> list[SalesPoint]:
    return list(SalesPoint.objects.public().filter(condition).select_related("commune", "province")[:50])


def _public_product(pk: int) -> Any:
    queryset = public_products().select_related(
        "producer__commune__parent",
        "producer__commune__province",
        "province",
        "current_commune",
        "product_set__group__category",
    )
    return get_object_or_404(queryset, pk=pk)


@require_GET
def product(request: HttpRequest, pk: int) -> HttpResponse:
    item = _public_product(pk)
    today = clock.today()
    certificates = [
        (cert, cert.status_on(today)) for cert in Certificate.objects.filter(product=item, issued_on__lte=today)
    ]
    shown = next((cert for cert, _status in certificates if cert.pk == item.certificate_id), None)
    from ocop.traceability.querysets import public_lots

    lots = list(public_lots().filter(product=item).order_by("-produced_on", "-pk")[:10])
    links = list(
        ShopLink.objects.public()
        .filter(producer_id=item.producer_id)
        .filter(Q(product__isnull=True) | Q(product=item))
        .order_by(F("product").asc(nulls_last=True), "channel", "pk")
    )
    photos = list(ProductPhoto.objects.filter(product=item).order_by("position", "pk"))
    context = {
        "product": item,
        "producer": item.producer,
        "certificate": shown,
        "status_label": CertificateStatus(item.certificate_status).label,
        "certificates": [(c, s, CertificateStatus(s).label) for c, s in certificates],
        "photos": photos,
        "lots": lots,
        "gtin14": item.gtin.zfill(14) if item.gtin else "",
        "shop_links": links,
        "sales_points": list(SalesPoint.objects.public().filter(products=item).select_related("commune", "province")),
        "json_ld": _json_ld(request, item, photos),
    }
    return render(request, "catalogue/product.html", context)


def _json_ld(request: HttpRequest, item: Any, photos: list[ProductPhoto]) -> str:
    """schema.org Product markup; the OCOP rating in force is the product's award."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": item.name,
        "url": request.build_absolute_uri(reverse("catalogue:product", args=[item.pk])),
        "category": item.product_set.name,
        "brand": {"@type": "Organization", "name": item.producer.name},
        "manufacturer": {
            "@type": "Organization",
            "name": item.producer.name,
            "url": request.build_absolute_uri(reverse("catalogue:producer", args=[item.producer_id])),
        },
    }
    if item.description:
        data["description"] = item.description
    if item.code:
        data["productID"] = item.code
    if item.gtin:
        data["gtin"] = item.gtin
    if photos:
        data["image"] = [request.build_absolute_uri(reverse("catalogue:photo", args=[p.pk])) for p in photos]
    if item.best_star:
        data["award"] = _("OCOP %(star)s stars") % {"star": item.best_star}
    # "</" cannot close the script element from inside a string.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


@require_GET
def producer(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        public_producers().select_related("commune__parent", "commune__province", "current_commune", "province"),
        pk=pk,
    )
    products = _list_queryset(public_products().filter(producer=item)).order_by(*filters.ORDERS["-star"])
    context = {
        "producer": item,
        "products": list(products),
        "shop_links": list(ShopLink.objects.public().filter(producer=item, product__isnull=True)),
    }
    return render(request, "catalogue/producer.html", context)


def _public_photo(pk: int) -> ProductPhoto:
    return get_object_or_404(ProductPhoto.objects.filter(product__in=public_products().values("pk")), pk=pk)


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    item = _public_photo(pk)
    extension = item.image.name.rsplit(".", 1)[-1]
    response = serve_file(
        item.image,
        content_type=item.content_type,
        filename=f"{item.product_id}-{item.pk}.{extension}",
        attachment=False,
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def photo_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    item = _public_photo(pk)
    response = serve_file(
        item.thumbnail, content_type="image/jpeg", filename=f"{item.product_id}-{item.pk}-thumb.jpg", attachment=False
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def shop_link_go(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a visit and send the visitor on: only ever to an address stored for a public producer."""
    from ocop.catalogue.actions import count_click

    link = get_object_or_404(ShopLink.objects.public().filter(producer__in=public_producers().values("pk")), pk=pk)
    count_click(link)
    response = HttpResponseRedirect(link.url)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "origin"
    return response


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """The public pages for search engines (sitemaps.org 0.9): catalogue, products, producers, places."""
    products = public_products()
    rows = products.order_by("pk").values_list("pk", "updated_at")
    entries: list[tuple[str, Any]] = [(reverse("catalogue:index"), None)]
    entries += [(reverse("catalogue:product", args=[pk]), updated) for pk, updated in rows]
    entries += [
        (reverse("catalogue:producer", args=[pk]), updated)
        for pk, updated in public_producers().order_by("pk").values_list("pk", "updated_at")
    ]
    province_ids = products.values("province_id")
    entries += [
        (reverse("catalogue:province", args=[code]), None)
        for code in AdminUnit.objects.filter(pk__in=province_ids).order_by("code").values_list("code", flat=True)
    ]
    commune_ids = products.values("current_commune_id")
    entries += [
        (reverse("catalogue:commune", args=[code]), None)
        for code in AdminUnit.objects.filter(pk__in=commune_ids).order_by("code").values_list("code", flat=True)
    ]
    context = {"entries": [(request.build_absolute_uri(path), updated) for path, updated in entries]}
    return render(request, "catalogue/sitemap.xml", context, content_type="application/xml; charset=utf-8")


# --- Producers' shop links -------------------------------------------------------------------------------
@login_required
def shop_link_list(request: HttpRequest) -> HttpResponse:
    if not may_manage_shop_links(request.user):
        return forbidden(request, _("Shop links are kept by producers and their provincial office."))
    producers = Producer.objects.editable_by(request.user).order_by("name")
    form = ShopLinkForm(request.POST if request.method == "POST" else None, producers=producers)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The shop link was added."))
            return redirect("catalogue:shop_link_list")
    links = (
        ShopLink.objects.editable_by(request.user)
        .select_related("producer", "product")
        .order_by("producer__name", "channel", "pk")
    )
    paginator = Paginator(links, 50)
    context = {"form": form, "page": paginator.get_page(request.GET.get("page")), "producers": producers}
    return render(request, "catalogue/shop_links.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def shop_link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShopLink.objects.for_user(request.user), pk=pk)
    if not ShopLink.objects.editable_by(request.user).filter(pk=link.pk).exists():
        return forbidden(request, back=reverse("catalogue:shop_link_list"))
    link.delete()
    messages.success(request, _("The shop link was removed."))
    return redirect("catalogue:shop_link_list")


# --- OCOP sales points (provincial offices) -------------------------------------------------------------
def _sales_point_form(request: HttpRequest, instance: SalesPoint | None = None) -> SalesPointForm:
    user = request.user
    products = public_products().filter(province_id=user.province_id) if user.role == "province" else public_products()
    return SalesPointForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        communes=placeable_sales_point_communes(user),
        products=products.select_related("producer").order_by(),
    )


@login_required
def sales_point_list(request: HttpRequest) -> HttpResponse:
    points = SalesPoint.objects.for_user(request.user)
    if not may_manage_sales_points(request.user) and not points.exists():
        return forbidden(request, _("OCOP sales points are kept by the provincial OCOP offices."))
    points = points.select_related("commune", "province").annotate(product_count=Count("products"))
    context = {
        "page": Paginator(points.order_by("province__name", "name"), 50).get_page(request.GET.get("page")),
        "can_create": may_manage_sales_points(request.user),
    }
    return render(request, "catalogue/sales_point_list.html", context)


@login_required
def sales_point_create(request: HttpRequest) -> HttpResponse:
    if not may_manage_sales_points(request.user):
        return forbidden(request, _("OCOP sales points are kept by the provincial OCOP offices."))
    form = _sales_point_form(request)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The sales point was saved."))
        return redirect("catalogue:sales_point_list")
    return render(request, "catalogue/sales_point_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def sales_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(SalesPoint.objects.for_user(request.user), pk=pk)
    if not SalesPoint.objects.editable_by(request.user).filter(pk=pk).exists():
        return forbidden(request, back=reverse("catalogue:sales_point_list"))
    form = _sales_point_form(request, point)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The sales point was saved."))
        return redirect("catalogue:sales_point_list")
    context = {"form": form, "point": point}
    return render(request, "catalogue/sales_point_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def sales_point_delete(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(SalesPoint.objects.for_user(request.user), pk=pk)
    if not SalesPoint.objects.editable_by(request.user).filter(pk=pk).exists():
        return forbidden(request, back=reverse("catalogue:sales_point_list"))
    point.delete()
    messages.success(request, _("The sales point was removed."))
    return redirect("catalogue:sales_point_list")
