"""The public scan pages (the GS1 resolver), the consumer's province and report, and the alert pages.

Resolver behaviour (GS1 Digital Link conventions):

- GET, HEAD and OPTIONS; every answer carries ``Access-Control-Allow-Origin: *`` so any verifier app may
  call it from a browser, and a ``Link`` header naming the linkset.
- ``?linkType=all`` or ``Accept: application/linkset+json`` → the linkset (`links.py`); ``?linkType=gs1:pip``
  (any listed type) → 307 to that link.
- Walking up: a serial that is not ours under a known lot, or a lot that is not ours under a known GTIN.
  A machine asking for links gets a 307 to the less specific identifier (the GS1 convention: its linkset
  names the lot or product it really describes). A person gets the "not a genuine OCOP stamp" page (404)
  that shows the lot or product the code names, with a link to it — never a redirect: landing on a genuine
  product page would make a forged stamp look genuine.
- Unknown and malformed codes → the same page, 404, never a server error. Failed look-ups are counted per
  network and limited (429); genuine scans are never limited (`ratelimit.py`).

What every stamp of a lot shows alike (certificate, photo, trace events, standards, the province list) comes
from `pagecache.py` (which says when it is read afresh). For an anonymous visitor the stamp page itself is
assembled from a skeleton rendered once per batch, language and day, with this scan's values filled in
(`pages.py`).

Only a GET of a stamp's page counts a scan: HEAD, OPTIONS, linkset requests and a reload by the same browser
(a cookie limited to that stamp's path, for SCAN_REPEAT_SECONDS) do not.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ocop.certificates.models import IN_FORCE
from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.lib.net import client_ip
from ocop.lib.origin import origin_protected
from ocop.registry.models import ProductPhoto
from ocop.registry.views.common import forbidden, get_readable, paginate
from ocop.scans import actions, links, pagecache, pages, places
from ocop.scans.forms import (
    AlertFilterForm,
    AlertHandleForm,
    PlaceForm,
    ReportForm,
    page_token,
    read_token,
    token_scan_id,
)
from ocop.scans.models import Alert, AlertStatus, PlaceSource, Scan
from ocop.scans.querysets import may_browse_alerts
from ocop.scans.ratelimit import FAILED_LOOKUPS, REPORTS
from ocop.scans.resolver import (
    LOT,
    MALFORMED,
    MISMATCH,
    STAMP,
    UNKNOWN_LOT,
    UNKNOWN_PRODUCT,
    UNKNOWN_SERIAL,
    Resolution,
    certificate_for,
    public_products,
    resolve_gs1,
    resolve_short,
)
from ocop.stamps import codes

RESOLVER_METHODS = ("GET", "HEAD", "OPTIONS")
SEEN_COOKIE = "ocop_scan"


# --- The resolver ----------------------------------------------------------------------------------------
def _cors(response: HttpResponse, *, preflight: bool = False) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    if preflight:  # read by browsers on the answer to OPTIONS only
        response["Access-Control-Allow-Methods"] = ", ".join(RESOLVER_METHODS)
        response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    response["Access-Control-Expose-Headers"] = "Link, Location"
    response["Vary"] = "Accept" if "Vary" not in response else f"{response['Vary']}, Accept"
    response["Cache-Control"] = "no-store"
    return response


def _wanted_links(request: HttpRequest) -> str | None:
    """ "all" for the linkset, a GS1 link type URI for one link, None for the page."""
    # A phone scanning a stamp sends no query string: the query dictionary is not even parsed then.
    requested = request.GET.get("linkType", "") if request.META.get("QUERY_STRING") else ""
    # META rather than `request.headers`, which copies every header into a new mapping the first time.
    if requested == "all" or links.LINKSET_TYPE in request.META.get("HTTP_ACCEPT", ""):
        return "all"
    return links.link_type(requested)


def gs1(request: HttpRequest, rest: str) -> HttpResponse:
    return _resolver(request, lambda gen: resolve_gs1(rest, gen=gen))


def short(request: HttpRequest, rest: str) -> HttpResponse:
    return _resolver(request, lambda gen: resolve_short(rest, gen=gen))


def _resolver(request: HttpRequest, resolve: Any) -> HttpResponse:
    if request.method not in RESOLVER_METHODS:
        response = HttpResponse(status=405)
        response["Allow"] = ", ".join(RESOLVER_METHODS)
        return _cors(response)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = ", ".join(RESOLVER_METHODS)
        return _cors(response, preflight=True)
    gen = pagecache.generation()
    resolution: Resolution = resolve(gen)
    wanted = _wanted_links(request)
    if not resolution.ok:
        return _cors(_failure(request, resolution, wanted))
    now = clock.now()
    today = clock.day_of(now)  # clock.today(), from the same moment as the scan's time
    data = pagecache.lot_data(resolution.product, resolution.lot, today, gen=gen)
    certificate = data.certificate
    in_force = certificate is not None and certificate.status_on(today) in IN_FORCE
    if wanted == "all":
        return _cors(
            HttpResponse(
                json.dumps(links.linkset(request, resolution, certificate, in_force), ensure_ascii=False),
                content_type=links.LINKSET_TYPE,
            )
        )
    if wanted is not None:
        targets = links.links(request, resolution, certificate, in_force).get(wanted)
        if targets:
            return _cors(HttpResponseRedirect(targets[0]["href"], status=307))
    if resolution.kind == STAMP:
        response = _stamp_page(request, resolution, data, now, today, gen)
    else:
        response = _lot_or_product_page(request, resolution, data, today, gen)
    # The path comes from reverse() (already a URI): the request's scheme and host in front of it are the
    # absolute address (`build_absolute_uri` would split, join and quote it again).
    anchor = f"{request.scheme}://{request.get_host()}{_anchor_path(resolution, gen)}"
    response["Link"] = f'<{anchor}?linkType=all>; rel="linkset"; type="{links.LINKSET_TYPE}"'
    return _cors(response)


def _anchor_path(resolution: Resolution, gen: int) -> str:
    """`links.anchor_path()`; for a stamp, from its batch's address reversed once (a reverse() per scan shows)."""
    if resolution.kind != STAMP:
        return links.anchor_path(resolution)
    stamp = resolution.found
    head, tail = pagecache.remembered(gen, ("address", stamp.batch_id), lambda: links.address_parts(stamp.batch))
    return f"{head}{stamp.serial}{tail}"


def _seen_scan_id(request: HttpRequest, stamp_id: int) -> int | None:
    """The scan this browser already counted for this stamp, from the cookie set by that scan (its page token)."""
    value = request.COOKIES.get(SEEN_COOKIE)
    found = read_token(value, max_age=settings.SCAN_REPEAT_SECONDS) if value else None
    if found is None or found.get("s") != stamp_id:
        return None
    return token_scan_id(found)


def _signature(request: HttpRequest, resolution: Resolution) -> str:
    """ "verified", "invalid", "missing" (a signed stamp scanned without its signature) or "" (unsigned)."""
    parsed, batch = resolution.parsed, resolution.found.batch
    if parsed is None or not parsed.is_signed:
        return "missing" if batch.signed else ""
    key = batch.signing_key
    if not batch.signed or key is None or key.kid != parsed.kid:
        return "invalid"
    public = codes.PublicKey(kid=key.kid, province="", public_key=bytes(key.public_key))
    return "verified" if codes.verify(parsed, {key.kid: public}).ok else "invalid"


def _stamp_page(
    request: HttpRequest, resolution: Resolution, data: pagecache.LotData, now: dt.datetime, today: dt.date, gen: int
) -> HttpResponse:
    stamp = resolution.found
    status = data.certificate.status_on(today) if data.certificate is not None else ""
    seen_id = _seen_scan_id(request, stamp.pk)
    counting = request.method == "GET" and seen_id is None
    if counting:
        counted = actions.record_scan(
            stamp,
            product=resolution.product,
            certificate_status=status,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            now=now,
            day=today,
        )
        scan_id = counted.scan_id
    else:
        counted = actions.seen(stamp)
        scan_id = seen_id
    code = request.path
    # One signed value: the report and place forms' token and, for a counted scan, the "already counted" cookie.
    token = _report_token(code, resolution, scan_id=scan_id)
    scanned = pages.Scanned(
        counted=counted,
        signature=_signature(request, resolution),
        place_token=token if scan_id else "",
        report_token=token,
        signed_code=code if resolution.parsed is not None and resolution.parsed.is_signed else "",
    )
    response = pages.stamp_page(request, resolution, data, today, gen, scanned)
    if counting:
        response.set_cookie(
            SEEN_COOKIE,
            token,  # signed, with its time: `_seen_scan_id` checks both
            max_age=settings.SCAN_REPEAT_SECONDS,
            expires=_expires(int(time.time()), settings.SCAN_REPEAT_SECONDS),
            path=request.path,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@lru_cache(maxsize=4)
def _expires(second: int, max_age: int) -> str:
    """The Expires date of a cookie set in `second` for `max_age` seconds, as set_cookie() would write it
    (formatted once a second rather than once a scan: it was a few per cent of a scan)."""
    return http_date(second + max_age)


def _lot_or_product_page(
    request: HttpRequest, resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int
) -> HttpResponse:
    context = pages.common_context(resolution, data, today, gen)
    if resolution.kind == LOT:
        return render(request, "scans/lot.html", context)
    return render(request, "scans/product.html", context)


def _report_token(code: str, resolution: Resolution, scan_id: int | None = None) -> str:
    return page_token(
        code=code,
        stamp_id=resolution.found.pk if resolution.kind == STAMP and resolution.ok else None,
        lot_id=resolution.lot.pk if resolution.lot is not None else None,
        product_id=resolution.product.pk if resolution.product is not None else None,
        scan_id=scan_id,
    )


def _report_form(code: str, resolution: Resolution) -> ReportForm:
    return ReportForm(initial={"token": _report_token(code, resolution)})


REASONS = {
    MALFORMED: "malformed",
    UNKNOWN_PRODUCT: "unknown_product",
    UNKNOWN_LOT: "unknown_lot",
    UNKNOWN_SERIAL: "unknown_serial",
    MISMATCH: "mismatch",
}


def _too_many(request: HttpRequest, wanted: str | None) -> HttpResponse:
    if wanted is not None:
        response: HttpResponse = JsonResponse(
            {"detail": _("Too many failed look-ups from your network. Please try again later."), "code": "throttled"},
            status=429,
        )
    else:
        response = render(request, "scans/too_many.html", status=429)
    response["Retry-After"] = str(FAILED_LOOKUPS.retry_after())
    return response


def _failure(request: HttpRequest, resolution: Resolution, wanted: str | None) -> HttpResponse:
    if FAILED_LOOKUPS.hit(client_ip(request)) > settings.SCAN_FAILURE_LIMIT > 0:
        return _too_many(request, wanted)
    walk_up = links.walk_up_path(resolution)
    if wanted is not None:
        if walk_up is not None:
            query = request.GET.copy()
            return HttpResponseRedirect(f"{walk_up}?{query.urlencode()}", status=307)
        return JsonResponse({"detail": _("Not a genuine OCOP stamp."), "code": "not_found"}, status=404)
    today = clock.today()
    context: dict[str, Any] = {
        "kind": resolution.kind,
        "reason": REASONS.get(resolution.reason, "malformed"),
        "product": resolution.product,
        "lot": resolution.lot,
        "walk_up": walk_up,
        "report_form": _report_form(request.path, resolution),
        "today": today,
    }
    if resolution.product is not None:
        context.update(
            producer=resolution.product.producer,
            **pages.certificate_context(certificate_for(resolution.product, today), today),
        )
    return render(request, "scans/not_genuine.html", context, status=404)


# --- The consumer's province and report ----------------------------------------------------------------
# Both act for nobody (no session or user is read) and need the page's signed token: a forged post could do
# nothing its author cannot do alone. They are protected from cross-site posts by the request's origin rather
# than a CSRF token, so that the stamp page sets no CSRF cookie (`ocop.lib.origin`).
def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@origin_protected
def place(request: HttpRequest) -> HttpResponse:
    """The province of a scan, from the consumer's consent. Coordinates are looked at, never stored."""
    form = PlaceForm(request.POST, max_age=settings.SCAN_PLACE_SECONDS)
    scan = None
    province = None
    if form.is_valid():
        scan = Scan.objects.select_related("stamp__batch__lot__product").filter(pk=form.cleaned_data["token"]).first()
        if scan is None:
            form.add_error(None, _("This page is too old to record your province: scan the stamp again."))
        elif form.cleaned_data.get("lat") is not None and form.cleaned_data.get("lon") is not None:
            code = places.province_code_at(
                places.coarse(form.cleaned_data["lat"]), places.coarse(form.cleaned_data["lon"])
            )
            province = AdminUnit.objects.current().provinces().filter(code=code).first() if code else None
            if province is None:
                form.add_error(None, _("Your location does not fall in a province of Vietnam: choose your province."))
            source = PlaceSource.GEOLOCATION
        else:
            province = form.cleaned_data["province"]
            source = PlaceSource.CHOSEN
    if not form.is_valid() or scan is None or province is None:
        errors = [str(e) for errors in form.errors.values() for e in errors]
        if _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        return render(request, "scans/place.html", {"form": form, "errors": errors}, status=400)
    recorded = actions.set_place(scan, province, source)
    if _wants_json(request):
        if recorded:
            message = _("Thank you: your scan was recorded in %(name)s.") % {"name": province.name}
        else:
            message = _("Thank you: the province of this scan was already recorded.")
        return JsonResponse({"province": province.name, "recorded": recorded, "message": message})
    return render(request, "scans/place.html", {"province": province, "recorded": recorded})


@require_POST
@origin_protected
def report(request: HttpRequest) -> HttpResponse:
    """A consumer's report of a suspected fake → an alert for the producer and the provincial office."""
    form = ReportForm(request.POST)
    if form.is_robot:
        # Answered like a success so that a robot learns nothing; nothing is created.
        return render(request, "scans/report.html", {"done": True})
    if not form.is_valid():
        return render(request, "scans/report.html", {"form": form}, status=400)
    ip = client_ip(request)
    if REPORTS.hit(ip) > settings.SCAN_REPORT_LIMIT > 0:
        response = render(request, "scans/too_many.html", {"reports": True}, status=429)
        response["Retry-After"] = str(REPORTS.retry_after())
        return response
    target = form.cleaned_data["token"]
    from ocop.stamps.models import Stamp
    from ocop.traceability.models import Lot

    product = public_products().filter(pk=target.get("p")).first() if target.get("p") else None
    actions.report_fake(
        code=str(target.get("c", "")),
        message=form.cleaned_data["message"],
        contact=form.cleaned_data["contact"],
        stamp=Stamp.objects.filter(pk=target.get("s")).first() if target.get("s") else None,
        lot=Lot.objects.filter(pk=target.get("l")).first() if target.get("l") else None,
        product=product,
    )
    return render(request, "scans/report.html", {"done": True})


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A product photo's thumbnail, public for products with an OCOP certificate (the scan pages show it)."""
    item = get_object_or_404(ProductPhoto.objects.filter(product__in=public_products()), pk=pk)
    if not item.thumbnail:
        raise Http404
    response = FileResponse(item.thumbnail.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Scans and alerts for producers and offices ------------------------------------------------------------
@require_GET
@login_required
def scan_list(request: HttpRequest) -> HttpResponse:
    """Recent scans of the stamps in the user's scope, and where they were scanned (province only)."""
    if not may_browse_alerts(request.user):
        return forbidden(request, _("Scans are shown to producers and the OCOP offices."))
    scans = Scan.objects.for_user(request.user)
    by_province = (
        scans.filter(province__isnull=False)
        .values("province__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "province__name")[:40]
    )
    page = paginate(
        request,
        scans.select_related("stamp__batch__lot__product", "province").order_by("-at", "-pk"),
    )
    return render(
        request,
        "scans/scan_list.html",
        {"page": page, "by_province": list(by_province), "unplaced": scans.filter(province__isnull=True).count()},
    )


@require_GET
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    if not may_browse_alerts(request.user):
        return forbidden(request, _("Alerts are shown to producers and the OCOP offices."))
    # Open alerts unless the user chose another status (or "all", an empty status).
    data = request.GET.copy()
    data.setdefault("status", AlertStatus.OPEN)
    form = AlertFilterForm(data)
    alerts = Alert.objects.for_user(request.user).select_related("product", "lot", "stamp")
    if form.value("status"):
        alerts = alerts.filter(status=form.value("status"))
    if form.value("rule"):
        alerts = alerts.filter(rule=form.value("rule"))
    return render(request, "scans/alert_list.html", {"form": form, "page": paginate(request, alerts)})


def _can_handle(request: HttpRequest, alert: Alert) -> bool:
    return Alert.objects.handleable_by(request.user).filter(pk=alert.pk).exists()


@require_GET
@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_readable(Alert.objects.select_related("product", "lot", "stamp", "handled_by"), request, pk)
    can_handle = _can_handle(request, alert)
    form = AlertHandleForm(initial={"note": alert.note}) if can_handle else None
    return render(request, "scans/alert_detail.html", {"alert": alert, "form": form, "can_handle": can_handle})


@require_POST
@login_required
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_readable(Alert.objects.select_related("product", "lot", "stamp"), request, pk)
    if not _can_handle(request, alert):
        return forbidden(
            request, _("Only the provincial OCOP office decides on this alert."), back=alert.get_absolute_url()
        )
    form = AlertHandleForm(request.POST)
    if not form.is_valid():
        context = {"alert": alert, "form": form, "can_handle": True}
        return render(request, "scans/alert_detail.html", context, status=400)
    actions.handle_alert(alert, status=form.cleaned_data["status"], note=form.cleaned_data["note"], actor=request.user)
    messages.success(request, _("Your finding on the alert was recorded."))
    return redirect(alert)
