"""Open data: the public registry as CSV and JSON downloads, a DCAT-AP catalogue (JSON-LD) and the licence.

    /open-data/                       what is published, how to use it
    /open-data/licence/               the licence statement (CC BY 4.0)
    /open-data/catalog.jsonld         the DCAT-AP catalogue: a dcat:Dataset per table, a dcat:Distribution per format
    /open-data/<table>.csv|.json      a table (products, producers, certificates, revocations)
        ?modified_since=2026-03-31 (or an ISO date and time): only the rows changed since then

Files stream row by row, so a large registry never sits in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ocop.imports.cells import FORMULA_STARTS
from ocop.lib import clock
from ocop.opendata.datasets import DATASETS, Dataset, parse_since

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
FORMATS = {
    "csv": "text/csv",
    "json": "application/json",
}
IANA = "https://www.iana.org/assignments/media-types/"


def _cors(response: HttpResponse) -> HttpResponse:
    # Open data is read by other sites' scripts too; nothing here depends on cookies.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Cell values ----------------------------------------------------------------------------------------------
def csv_value(value: Any) -> str:
    """A cell as text; text a spreadsheet would run as a formula gets a leading apostrophe (as imports export)."""
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object for csv.writer that hands back each line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(dataset: Dataset, since: dt.datetime | None) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    # A byte-order mark: spreadsheet programs then read Vietnamese text as UTF-8.
    yield "\ufeff" + writer.writerow(dataset.headers)
    for row in dataset.rows(since):
        yield writer.writerow([csv_value(v) for v in row])


def _json_stream(request: HttpRequest, dataset: Dataset, since: dt.datetime | None) -> Iterator[str]:
    head = {
        "dataset": dataset.key,
        "title": str(dataset.title),
        "license": LICENCE_URL,
        "generated_at": clock.now().isoformat(),
        "modified_since": since.isoformat() if since else None,
        "catalog": request.build_absolute_uri(reverse("opendata:catalog")),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
    headers = dataset.headers
    first = True
    for row in dataset.rows(since):
        yield ("" if first else ",") + json.dumps(
            dict(zip(headers, row, strict=True)), cls=DjangoJSONEncoder, ensure_ascii=False
        )
        first = False
    yield "]}"


@require_GET
def download(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    table = DATASETS.get(dataset)
    if table is None or fmt not in FORMATS:
        raise Http404
    since = None
    raw = request.GET.get("modified_since")
    if raw is not None:
        try:
            since = parse_since(raw)
        except ValueError as exc:
            message = _("modified_since: %(problem)s") % {"problem": exc}
            if fmt == "json":
                return _cors(JsonResponse({"detail": message, "code": "invalid"}, status=400))
            return _cors(HttpResponse(message, status=400, content_type="text/plain; charset=utf-8"))
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(table, since), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ocop-{table.key}.csv"'
    else:
        response = StreamingHttpResponse(
            _json_stream(request, table, since), content_type="application/json; charset=utf-8"
        )
    response["Cache-Control"] = "public, max-age=300"
    return _cors(response)


# --- DCAT-AP --------------------------------------------------------------------------------------------------
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:issued": {"@type": "xsd:date"},
}


def _both(text: Any) -> list[dict[str, str]]:
    """A text in Vietnamese and English, as language-tagged literals."""
    values = []
    for language in ("vi", "en"):
        with translation.override(language):
            values.append({"@value": str(text), "@language": language})
    return values


def _when(moment: dt.datetime | None) -> str:
    return (moment or clock.now()).replace(microsecond=0).isoformat()


def catalog_document(request: HttpRequest) -> dict[str, Any]:
    def url(name: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(name, args=args))

    licence = {"@id": LICENCE_URL}
    publisher = {"@type": "foaf:Agent", "foaf:name": _both(_("OCOP programme platform"))}
    datasets = []
    modified_all: list[dt.datetime] = []
    for table in DATASETS.values():
        modified = table.modified()
        if modified is not None:
            modified_all.append(modified)
        distributions = [
            {
                "@id": url("opendata:download", table.key, fmt) + "#distribution",
                "@type": "dcat:Distribution",
                "dct:title": _both(f"{table.title} ({fmt.upper()})"),
                "dcat:accessURL": {"@id": url("opendata:index")},
                "dcat:downloadURL": {"@id": url("opendata:download", table.key, fmt)},
                "dcat:mediaType": {"@id": IANA + media},
                "dct:format": fmt.upper(),
                "dct:license": licence,
                "dct:modified": _when(modified),
            }
            for fmt, media in FORMATS.items()
        ]
        datasets.append(
            {
                "@id": url("opendata:index") + f"#{table.key}",
                "@type": "dcat:Dataset",
                "dct:identifier": f"ocop-{table.key}",
                "dct:title": _both(table.title),
                "dct:description": _both(table.description),
                "dct:publisher": publisher,
                "dct:license": licence,
                "dct:modified": _when(modified),
                "dct:language": [
                    {"@id": "http://publications.europa.eu/resource/authority/language/VIE"},
                ],
                "dcat:keyword": ["OCOP", table.key],
                "dcat:landingPage": {"@id": url("opendata:index")},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": CONTEXT,
        "@id": url("opendata:catalog"),
        "@type": "dcat:Catalog",
        "dct:title": _both(_("OCOP open data")),
        "dct:description": _both(
            _("The public registry of the OCOP programme: products, producers, certificates and revocations.")
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:modified": _when(max(modified_all) if modified_all else None),
        "foaf:homepage": {"@id": url("opendata:index")},
        "dct:rights": {"@id": url("opendata:licence")},
        "dcat:dataset": datasets,
    }


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    body = json.dumps(catalog_document(request), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return _cors(response)


# --- Pages ----------------------------------------------------------------------------------------------------
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    tables = [
        {
            "table": table,
            "links": [(fmt.upper(), reverse("opendata:download", args=[table.key, fmt])) for fmt in FORMATS],
            "columns": table.headers,
        }
        for table in DATASETS.values()
    ]
    context = {"tables": tables, "licence_url": LICENCE_URL, "licence_name": LICENCE_NAME}
    return render(request, "opendata/index.html", context)


@require_GET
def licence(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/licence.html", {"licence_url": LICENCE_URL, "licence_name": LICENCE_NAME})
