"""The resolver's HTML pages: what they show, and the stamp page assembled from a skeleton.

The stamp page is the platform's hottest page (every package of a harvest may be scanned). Apart from the
stamp's own figures it shows the same thing for every stamp of a batch on a given day, in a given language. So
for an anonymous visitor it is not rendered per scan: the page of the batch, language, day, certificate status
and signature state is rendered ONCE by the template, with markers where the per-scan parts go, and kept
(`pagecache.page`); each scan fills the markers with its values, escaped for where they stand:

- ``figures``: the scan count and the first scan (`scan_figures`, the same function for both ways);
- ``place_token`` and ``report_token``: the signed tokens of the place and report forms;
- ``signed_code``: the code the browser checks the signature of (signed stamps);
- ``path``: the page's own address (the language switch's "next").

For an anonymous visitor the page's forms (language switch, place, report) carry no CSRF token and the page sets
no CSRF cookie: their views are protected by the request's origin (`ocop.lib.origin`). The token and its cookie
were a tenth of the cost of a scan.

An anonymous visitor is one with no session cookie and no messages cookie: nothing on the page can then depend
on who asks (menu, messages), and the session is never loaded. Signed-in users, and voided or never-activated
stamps (rare, and their banners carry the stamp's own dates), get the page rendered in full by the same template
from the same values (`render_full`); `tests/test_scan_page.py` checks that both ways give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from html import escape as escape_html
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.test.signals import template_rendered
from django.urls import get_script_prefix
from django.utils.formats import date_format, localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ocop.certificates.models import IN_FORCE, CertificateStatus
from ocop.lib import clock
from ocop.scans import pagecache
from ocop.scans.actions import Counted
from ocop.scans.forms import PlaceForm, ReportForm
from ocop.scans.resolver import Resolution
from ocop.stamps.models import StampState

TEMPLATE = "scans/scan.html"
# What Django's {% csrf_token %} renders as nothing (django.template.defaulttags.CsrfTokenNode).
NO_CSRF_TOKEN = "NOTPROVIDED"


def certificate_context(certificate: Any, today: dt.date) -> dict[str, Any]:
    if certificate is None:
        return {"certificate": None, "status": "", "status_label": _("No OCOP certificate"), "in_force": False}
    status = certificate.status_on(today)
    return {
        "certificate": certificate,
        "status": status,
        "status_label": CertificateStatus(status).label,
        "in_force": status in IN_FORCE,
    }


def common_context(resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int) -> dict[str, Any]:
    """What the stamp, lot and product pages show alike."""
    product = resolution.product
    return {
        "resolution": resolution,
        "product": product,
        "producer": product.producer,
        "lot": resolution.lot,
        "photo": data.photo,
        "events": data.events,
        "standards": data.standards,
        "today": today,
        "page_generation": gen,
        **certificate_context(data.certificate, today),
    }


@dataclass(frozen=True)
class Scanned:
    """What one scan of a stamp puts on its page besides what every stamp of its batch shows."""

    counted: Counted
    signature: str  # "verified", "invalid", "missing" or "" (see views._signature)
    place_token: str  # "" when the scan was not counted (a HEAD request): no place form
    report_token: str
    signed_code: str  # "" unless the code scanned carries a signature


def stamp_context(
    resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int, scanned: Scanned, figures: SafeString
) -> dict[str, Any]:
    stamp = resolution.found
    return {
        **common_context(resolution, data, today, gen),
        "stamp": stamp,
        "stamp_ok": stamp.state == StampState.ACTIVATED,
        "voided": stamp.state == StampState.VOIDED,
        "never_activated": stamp.state == StampState.ISSUED,
        "counted": scanned.counted,
        "scan_figures": figures,
        "signature": scanned.signature,
        "signed_code": scanned.signed_code,
        "place_token": scanned.place_token,
        "place_form": PlaceForm(max_age=settings.SCAN_PLACE_SECONDS),
        "report_form": ReportForm(initial={"token": scanned.report_token}),
    }


def stamp_page(
    request: HttpRequest, resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int, scanned: Scanned
) -> HttpResponse:
    if anonymous_visitor(request) and resolution.found.state == StampState.ACTIVATED:
        return assemble(request, resolution, data, today, gen, scanned)
    return render_full(request, resolution, data, today, gen, scanned)


def render_full(
    request: HttpRequest, resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int, scanned: Scanned
) -> HttpResponse:
    context = stamp_context(resolution, data, today, gen, scanned, scan_figures(scanned.counted))
    if anonymous_visitor(request):
        context["csrf_token"] = NO_CSRF_TOKEN
    return render(request, TEMPLATE, context)


def anonymous_visitor(request: HttpRequest) -> bool:
    """No session cookie (so no user and no messages kept in a session) and no messages cookie. The session is
    not loaded to find out."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


# --- The assembled page ------------------------------------------------------------------------------------
def assemble(
    request: HttpRequest, resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int, scanned: Scanned
) -> HttpResponse:
    """The stamp page for an anonymous visitor: its batch's skeleton with this scan's values (escaped with the
    standard library's `html.escape`, which Django's `escape` wraps: the same text)."""
    figures = scan_figures(scanned.counted)
    if template_rendered.has_listeners():
        # Only Django's test client listens. It is told of the page with the values the skeleton is filled with,
        # before a skeleton may be rendered (whose own context holds the markers).
        template = get_template(TEMPLATE).template  # type: ignore[attr-defined]
        context = Context(stamp_context(resolution, data, today, gen, scanned, figures))
        template_rendered.send(sender=template, template=template, context=context)
    language = get_language()
    key: Hashable = (
        resolution.found.batch_id,
        language,
        today,
        scanned.signature,
        bool(scanned.place_token),
        bool(scanned.signed_code),
        get_script_prefix(),
    )
    skeleton = pagecache.page(gen, key, lambda: _skeleton(resolution, data, today, gen, scanned))
    body = skeleton.fill(
        {
            "figures": figures,
            "place_token": escape_html(scanned.place_token),
            "report_token": escape_html(scanned.report_token),
            "signed_code": escape_html(scanned.signed_code),
            "path": escape_html(request.get_full_path()),
        }
    )
    return HttpResponse(body)


class _Blank(HttpRequest):
    """The request a skeleton is rendered for: an anonymous visitor whose address is left as a marker."""

    def __init__(self) -> None:
        super().__init__()
        self.method = "GET"
        self.user = AnonymousUser()

    def get_full_path(self, force_append_slash: bool = False) -> str:
        return pagecache.marker("path")


def _skeleton(resolution: Resolution, data: pagecache.LotData, today: dt.date, gen: int, scanned: Scanned) -> str:
    marker = pagecache.marker
    holes = Scanned(
        counted=scanned.counted,  # not shown by the template: `figures` is
        signature=scanned.signature,
        place_token=marker("place_token") if scanned.place_token else "",
        report_token=marker("report_token"),
        signed_code=marker("signed_code") if scanned.signed_code else "",
    )
    context = stamp_context(resolution, data, today, gen, holes, mark_safe(marker("figures")))  # safe: a marker
    context["csrf_token"] = NO_CSRF_TOKEN  # above the context processors' lazy token, which is never made
    return render_to_string(TEMPLATE, context, request=_Blank())


# Per process: the figures' HTML for the last few thousand (language, count, first day, first province).
_figures: dict[Hashable, SafeString] = {}


def scan_figures(counted: Counted) -> SafeString:
    """The stamp's scan count and first scan, as the page shows them."""
    first_day = clock.day_of(counted.first_at) if counted.first_at is not None else None
    place = counted.first_province.name if counted.first_province is not None else None
    key = (get_language(), counted.count, first_day, place)
    html = _figures.get(key)
    if html is None:
        html = _figures_html(counted.count, first_day, place)
        if len(_figures) >= 4096:
            _figures.clear()
        _figures[key] = html
    return html


def _figures_html(count: int, first_day: dt.date | None, place: str | None) -> SafeString:
    n = escape(localize(count))
    text = ngettext("<strong>%(n)s</strong> scan", "<strong>%(n)s</strong> scans", count) % {"n": n}
    html = format_html('<p class="scan-count" id="scan-count" data-count="{}">{}</p>', n, mark_safe(text))
    if first_day is not None:
        date = escape(date_format(first_day, "SHORT_DATE_FORMAT"))
        if place is not None:
            first = _("First scanned on %(date)s in %(place)s.") % {"date": date, "place": escape(place)}
        else:
            first = _("First scanned on %(date)s.") % {"date": date}
        html += format_html("\n  <p>{}</p>", mark_safe(first))  # safe: the translation, its values escaped
    return html
