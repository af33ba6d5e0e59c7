"""Statistics pages: the dashboard, the list behind each number, the exports and the province targets.

Views are thin: they parse the filters (`filters.parse`), check the area
against the reader's scope (`querysets.area_in_scope`), ask `figures` and
render. Bad filter values give the page back with the reason (400), never an
error page; an area outside the reader's scope is "not found" (404), as
elsewhere on the platform.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ocop.lib import clock
from ocop.registry.models import ProducerKind, ProductCategory
from ocop.stats import cache as stats_cache
from ocop.stats import charts, exports, figures
from ocop.stats.filters import STARS, FilterError, StatsFilter, parse
from ocop.stats.forms import ProvinceTargetForm
from ocop.stats.models import ProvinceTarget
from ocop.stats.querysets import area_in_scope, may_keep_targets, may_view_stats

LIST_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _office(request: HttpRequest) -> None:
    if not may_view_stats(request.user):
        raise PermissionDenied(_("Statistics are for the OCOP offices."))


def _filter(request: HttpRequest) -> StatsFilter:
    """The filter of the request; raises FilterError (shown on the page) or Http404 (area out of scope)."""
    f = parse(request.GET)
    for unit in (f.area, f.sub):
        if unit is not None and not area_in_scope(request.user, unit):
            raise Http404(_("No such area within your scope."))
    return f


def _href(f: StatsFilter, changes: dict[str, Any] | None, base: str | None = None) -> str | None:
    if changes is None:
        return None
    return f"{base or reverse('stats:product_list')}?{f.querystring(**changes)}"


# The page shows the first lines of each breakdown (stats/_lines.html): only those get a link.
SHOWN_LINES = 60


def _link(f: StatsFilter, lines: list[figures.Line]) -> list[figures.Line]:
    base = reverse("stats:product_list")
    for line in lines[:SHOWN_LINES]:
        line.href = _href(f, line.params, base)
    return lines


def _filter_form_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "categories": list(ProductCategory.objects.filter(rulebook="qd-26-2026").order_by("number")),
        "kinds": ProducerKind.choices,
        "stars": STARS,
        "query": request.GET,
    }


def _bad_filter(request: HttpRequest, template: str, exc: FilterError) -> HttpResponse:
    return render(request, template, {"errors": exc.messages, **_filter_form_context(request)}, status=400)


def _dashboard_figures(user: Any, f: StatsFilter, today: dt.date, gen: int) -> dict[str, Any]:
    """Everything the dashboard shows but the traceability counts, links and charts included (kept by `cache`).

    The figures, trends and targets are kept on their own as well: the PDF report reads the same ones.
    """

    def kept(name: str, build: Any) -> Any:
        return stats_cache.remember(gen, user, f, name, build, today)

    data = kept("figures", lambda: figures.compute(user, f))
    for name in (
        "by_star",
        "by_category",
        "by_group",
        "by_set",
        "by_province",
        "by_district",
        "by_commune",
        "by_kind",
        "by_year",
        "statuses",
    ):
        _link(f, getattr(data, name))
    _link(f, [data.reevaluation_due])
    trend = kept("trends", lambda: figures.trends(user, f))
    # Products in force at each year's end: the recognised list on that day, with the same product filters.
    trend_rows = [
        {"year": y, "issued": values, "in_force": n, "href": _href(f, {"as_of": day, "star": None, "status": ""})}
        for (y, values), (_y, day, n) in zip(trend["issued"], trend["in_force"], strict=True)
    ]
    progress = kept("targets", lambda: figures.targets(user, f))
    for item in progress:
        item["href"] = _href(StatsFilter(as_of=f.as_of), {"area": item["target"].province})
    trend_issued = [(str(y), values, None) for y, values in trend["issued"]]
    star_series = [f"{s}★" for s in STARS]
    return {
        "fig": data,
        "trend": trend,
        "trend_rows": trend_rows,
        "rounds": figures.rounds(user, f),
        "dossiers": figures.dossiers(user, f, today),
        "targets": progress,
        "charts": {
            "stars": charts.bars(
                [(line.label, line.count, line.href) for line in data.by_star],
                _("Recognised products by star"),
            ),
            "places": charts.stacked(
                [
                    (line.label, line.stars, line.href)
                    for line in (data.by_province if not f.area else data.by_commune)[:20]
                ],
                star_series,
                _("Recognised products by area and star"),
            ),
            "categories": charts.bars(
                [(line.label, line.count, line.href) for line in data.by_category],
                _("Recognised products by product category"),
            ),
            "issued": charts.stacked(trend_issued, star_series, _("Certificates issued per year, by star")),
            "in_force": charts.line(
                [(str(y), n) for y, _day, n in trend["in_force"]], _("Products in force at the end of each year")
            ),
        },
    }


def _collector_paused(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The whole view (figures, lists and the page's rendering) with the cyclic garbage collector paused.

    A national page makes tens of thousands of short-lived objects (rows, lines, rendered nodes); the full
    collections they trigger over the process heap made about one national list in fifteen twice as slow as
    the others. See `cache.collector_paused`.
    """

    @wraps(view)
    def paused(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with stats_cache.collector_paused():
            return view(request, *args, **kwargs)

    return paused


@login_required
@_collector_paused
def dashboard(request: HttpRequest) -> HttpResponse:
    _office(request)
    try:
        f = _filter(request)
    except FilterError as exc:
        return _bad_filter(request, "stats/dashboard.html", exc)
    # A status narrows a list of certificates, not the dashboard: its links would otherwise carry it along.
    f = replace(f, status="")
    user, today = request.user, clock.today()
    gen = stats_cache.generation()
    shown = stats_cache.remember(gen, user, f, "dashboard", lambda: _dashboard_figures(user, f, today, gen), today)
    base = reverse("stats:product_list")
    context = {
        "f": f,
        **shown,
        # Counted live: scans come by the second, and the four counts are indexed.
        "trace": figures.traceability(user, f),
        "area_name": exports.scope_name(user, f),
        "list_href": f"{base}?{f.querystring()}",
        "export_qs": f.querystring(),
        **_filter_form_context(request),
    }
    return render(request, "stats/dashboard.html", context)


@login_required
@_collector_paused  # a national list is ten thousand entries
def product_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    try:
        f = _filter(request)
    except FilterError as exc:
        return _bad_filter(request, "stats/product_list.html", exc)
    entries = figures.list_entries(request.user, f)
    page = Paginator(entries, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    start = (page.number - 1) * LIST_PAGE_SIZE
    rows = list(figures.details(request.user, f, list(page.object_list), start=start))
    return render(
        request,
        "stats/product_list.html",
        {
            "f": f,
            "total": len(entries),
            "page": page,
            "rows": rows,
            "described": f.describe(),
            "area_name": exports.scope_name(request.user, f),
            "export_qs": f.querystring(),
            "dashboard_qs": f.querystring(
                star=None, category=None, group=None, product_set=None, kind=None, year=None, status="", sub=None
            ),
            "page_qs": f.querystring(),
        },
    )


def _export_guard(request: HttpRequest) -> StatsFilter | HttpResponse:
    _office(request)
    try:
        return _filter(request)
    except FilterError as exc:
        return HttpResponse("\n".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")


def _filename(f: StatsFilter, ext: str) -> str:
    return f"ocop-{f.as_of.isoformat()}.{ext}"


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    f = _export_guard(request)
    if isinstance(f, HttpResponse):
        return f
    content, _count = exports.write_xlsx(request.user, f)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, "xlsx")}"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    f = _export_guard(request)
    if isinstance(f, HttpResponse):
        return f
    response = StreamingHttpResponse(exports.iter_csv(request.user, f), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(f, "csv")}"'
    return response


@login_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    from ocop.stats.pdf import report_pdf

    f = _export_guard(request)
    if isinstance(f, HttpResponse):
        return f
    user, today = request.user, clock.today()
    gen = stats_cache.generation()
    content = report_pdf(
        stats_cache.remember(gen, user, f, "figures", lambda: figures.compute(user, f), today),
        stats_cache.remember(gen, user, f, "trends", lambda: figures.trends(user, f), today),
        exports.scope_name(user, f),
        stats_cache.remember(gen, user, f, "targets", lambda: figures.targets(user, f), today),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(f, "pdf")}"'
    return response


# --- Province targets --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def target_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    keeper = may_keep_targets(request.user)
    form = None
    if keeper:
        form = ProvinceTargetForm(request.POST or None, user=request.user)
        if request.method == "POST":
            if form.is_valid():
                target = form.save(commit=False)
                target.created_by = request.user
                target.save()
                messages.success(request, _("The target was saved."))
                return redirect("stats:target_list")
            return render(request, "stats/targets.html", _targets_context(request, form), status=400)
    elif request.method == "POST":
        raise PermissionDenied(_("Targets are kept by the provincial and central offices."))
    return render(request, "stats/targets.html", _targets_context(request, form))


def _targets_context(request: HttpRequest, form: Any) -> dict[str, Any]:
    f = StatsFilter(as_of=clock.today())
    progress = figures.targets(request.user, f)
    editable = set(ProvinceTarget.objects.editable_by(request.user).values_list("pk", flat=True))
    for item in progress:
        item["href"] = _href(f, {"area": item["target"].province})
        item["editable"] = item["target"].pk in editable
    return {"targets": progress, "form": form, "today": f.as_of}


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    target = get_object_or_404(ProvinceTarget.objects.for_user(request.user), pk=pk)
    if not ProvinceTarget.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("Targets are kept by the provincial and central offices."))
    form = ProvinceTargetForm(request.POST or None, instance=target, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The target was saved."))
            return redirect("stats:target_list")
        return render(request, "stats/target_edit.html", {"form": form, "target": target}, status=400)
    return render(request, "stats/target_edit.html", {"form": form, "target": target})
