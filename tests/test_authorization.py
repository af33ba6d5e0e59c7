"""The authorization table: every URL of the platform × every role, with the expected answer.

`test_every_url_has_an_entry` fails as soon as a URL is added without a row
here (or in the registry's own table, which this file reuses), so nobody can
ship a page whose access was never decided.

Statuses: 200 page, 302 redirect that is not the login page ("ok" for
actions), 403 refused, 404 not found (out of scope: existence not revealed),
405 wrong method, "login" a redirect to the login page.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ocop.audit.log import record
from ocop.certificates.tests.util import make_certificate, make_inspection
from ocop.councils.tests.util import authorization_objects as council_objects
from ocop.evaluation.tests.util import submitted as submitted_dossier
from ocop.imports.tests.util import PRODUCER_HEADERS, tax_code, upload_and_check, xlsx_bytes
from ocop.notifications.actions import notify
from ocop.registry.tests.test_access import CASES as REGISTRY_CASES
from ocop.scans.tests.util import authorization_objects as scan_objects
from ocop.stamps.tests.util import authorization_objects as stamp_objects
from ocop.testing import ALL, table
from ocop.traceability.tests.util import make_lot

# Apps that keep their rows of this table next to their code (ocop/<app>/tests/authorization.py).
APP_TABLES = [
    importlib.import_module(f"ocop.{app}.tests.authorization")
    for app in ("catalogue", "trade", "opendata", "stats", "evaluation", "rules")
]

STAFF = ("admin", "central", "province", "province_other", "commune", "council")
PRODUCERS = ("producer_a", "producer_b", "producer_pending")


LOGGED_IN = table(200, anonymous="login")
ADMIN_ONLY = table(403, admin=200, anonymous="login")
IMPORTERS = table(403, admin=200, province=200, province_other=200, anonymous="login")
# An import job made by the Bắc Ninh office: the Hà Nội office is told it does not exist.
IMPORT_JOB = table(403, admin=200, province=200, province_other=404, anonymous="login")

DOSSIER_READERS = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous="login")
# Readable but not to be changed by these personas: refused with a reason.
DOSSIER_OFFICES_403 = table(404, admin=403, central=403, province=403, commune=403, producer_a=403, anonymous="login")

CERTIFICATE_READERS = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous="login")
CERTIFICATE_READERS_403 = {p: 403 if code == 200 else code for p, code in CERTIFICATE_READERS.items()}

# Lots: "lot" is a lot of producer A's product (Xã Lục Ngạn, Bắc Ninh). Read like the product; kept by the
# producer and the Bắc Ninh office (and administrators); other readers are refused, everyone else is told it
# does not exist. An empty import is refused on the page (400).
LOT_READERS = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous="login")
LOT_WRITERS = {**LOT_READERS, "central": 403, "commune": 403}

# Scans: the resolver and the scan pages are public (an empty POST of the consumer's forms is refused on the
# page, 400). "scan_alert" is an open alert on producer A's product (Bắc Ninh): read like the product, decided
# by the Bắc Ninh office (and administrators); other readers are refused, everyone else is told it does not exist.
ALERT_READERS = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous="login")
ALERT_DECIDERS = {**ALERT_READERS, "admin": 400, "province": 400, "central": 403, "commune": 403, "producer_a": 403}
SCAN_PAGES = table(200, council=403, anonymous="login")

# Stamps: "stamp_batch" is a ready batch of producer A's lot "stamp_lot" (Bắc Ninh). Read like the lot; issued,
# printed, activated and voided by the producer and the Bắc Ninh office (and administrators). An empty activation
# takes the whole batch; an empty voiding lacks its reason (400). Signing keys are the provincial offices' (an
# administrator names the province: 404 without one); the public keys are public.
STAMP_READERS = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous="login")
STAMP_WRITERS = {**STAMP_READERS, "central": 403, "commune": 403}
STAMP_KEEPERS = ("admin", "province", "producer_a")

COUNCIL_PAGES = table(403, admin=200, central=200, province=200, province_other=200, council=200, anonymous="login")
COUNCIL_READERS = table(404, admin=200, central=200, province=200, council=200, anonymous="login")
COUNCIL_READERS_403 = {p: 403 if code == 200 else code for p, code in COUNCIL_READERS.items()}

# (url name, object key, method, expected)
CASES = [
    ("set_language", None, "post", table(302)),
    ("front:home", None, "get", table(200)),
    ("front:dashboard", None, "get", LOGGED_IN),
    # A logged-in user is sent on to the dashboard.
    ("accounts:login", None, "get", table(302, anonymous=200)),
    ("accounts:logout", None, "post", table(302)),
    # Every test client here has passed its second factor, so the code pages send it on.
    ("accounts:otp_verify", None, "get", table(302, anonymous="login")),
    ("accounts:otp_enroll", None, "get", LOGGED_IN),
    ("accounts:recovery_codes", None, "get", table(302, anonymous="login")),
    ("accounts:security", None, "get", LOGGED_IN),
    ("accounts:password_change", None, "post", table(200, anonymous="login")),
    # Producers without an authenticator have no recovery codes to renew: sent back to their account page.
    (
        "accounts:recovery_regenerate",
        None,
        "post",
        table(200, producer_a=302, producer_b=302, producer_pending=302, anonymous="login"),
    ),
    ("accounts:register", None, "get", table(302, anonymous=200)),
    # Only producer accounts have a registration to show; others are sent to their account page.
    (
        "accounts:register_done",
        None,
        "get",
        table(302, producer_a=200, producer_b=200, producer_pending=200, anonymous="login"),
    ),
    ("imports:list", None, "get", IMPORTERS),
    ("imports:upload", None, "get", IMPORTERS),
    ("imports:export", None, "get", table(200, council=403, anonymous="login")),
    ("imports:detail", "job", "get", IMPORT_JOB),
    ("imports:mapping", "job", "get", IMPORT_JOB),
    ("imports:preview", "job", "get", IMPORT_JOB),
    ("imports:progress", "job", "get", IMPORT_JOB),
    ("imports:confirm", "job", "post", table(403, admin=302, province=302, province_other=404, anonymous="login")),
    ("audit:list", None, "get", ADMIN_ONLY),
    ("audit:detail", "event", "get", ADMIN_ONLY),
    ("audit:verify", None, "post", table(403, admin=302, anonymous="login")),
    ("audit:export", None, "get", ADMIN_ONLY),
    # Dossiers: "dossier" is one submitted by producer A in Xã Lục Ngạn (Bắc Ninh). Offices in scope read it,
    # others are told it does not exist; only its producer files it (already submitted: sent back with a message)
    # and only the commune's officer checks it (an empty decision is refused with 400).
    ("evaluation:dossier_list", None, "get", LOGGED_IN),
    ("evaluation:dossier_create", None, "get", table(403, producer_a=200, producer_b=200, anonymous="login")),
    ("evaluation:dossier_detail", "dossier", "get", DOSSIER_READERS),
    ("evaluation:dossier_edit", "dossier", "get", DOSSIER_OFFICES_403),
    ("evaluation:self_assessment", "dossier", "get", DOSSIER_READERS),
    ("evaluation:dossier_submit", "dossier", "post", {**DOSSIER_OFFICES_403, "producer_a": 302}),
    ("evaluation:dossier_pdf", "dossier", "get", DOSSIER_READERS),
    ("evaluation:dossier_evidence", "dossier_evidence", "get", DOSSIER_READERS),
    (
        "evaluation:commune_queue",
        None,
        "get",
        table(403, admin=200, central=200, province=200, province_other=200, commune=200, anonymous="login"),
    ),
    ("evaluation:commune_report", "dossier", "get", {**DOSSIER_OFFICES_403, "commune": 200}),
    ("evaluation:commune_decide", "dossier", "post", {**DOSSIER_OFFICES_403, "commune": 400}),
    # The rules are public law: every page and download is open to everybody.
    ("rules:rulebook_list", None, "get", table(200)),
    ("rules:rulebook_detail", "rulebook", "get", table(200)),
    ("rules:rulebook_json", "rulebook", "get", table(200)),
    ("rules:sheet_detail", "sheet", "get", table(200)),
    ("rules:sheet_json", "sheet", "get", table(200)),
    # The public API (django-ninja names its own URLs): open, read-only; its root answers 404, and so does any
    # address under it that is not an endpoint (in the API's JSON error shape).
    ("api:rulebook_list", None, "get", table(200)),
    ("api:rulebook_detail", "rulebook", "get", table(200)),
    ("api:openapi-json", None, "get", table(200)),
    ("api:openapi-view", None, "get", table(200)),
    ("api:api-root", None, "get", table(404)),
    ("api:not_found", "api_path", "get", table(404)),
    # Certificates: "certificate" is a 4★ certificate of producer A's product (Bắc Ninh). It is read by whoever
    # reads the product; revoked and extended by the Bắc Ninh office (the central office acts on 5★ only);
    # inspected by the Bắc Ninh office or the central office. The register and the verification page are public.
    ("certificates:register", None, "get", table(200)),
    ("certificates:verify", "certificate_token", "get", table(200)),
    ("certificates:detail", "certificate", "get", CERTIFICATE_READERS),
    ("certificates:pdf", "certificate", "get", CERTIFICATE_READERS),
    ("certificates:revoke", "certificate", "get", {**CERTIFICATE_READERS_403, "admin": 200, "province": 200}),
    ("certificates:extend", "certificate", "get", {**CERTIFICATE_READERS_403, "admin": 200, "province": 200}),
    (
        "certificates:inspection_create",
        "certificate",
        "get",
        {**CERTIFICATE_READERS_403, "admin": 200, "central": 200, "province": 200},
    ),
    ("certificates:inspection_list", None, "get", table(200, council=403, anonymous="login")),
    ("certificates:inspection_detail", "inspection", "get", CERTIFICATE_READERS),
    # Notifications: everyone has an inbox; "notification" belongs to producer A and nobody else may touch it.
    ("notifications:inbox", None, "get", LOGGED_IN),
    ("notifications:mark_read", "notification", "post", table(404, producer_a=302, anonymous="login")),
    ("notifications:mark_all_read", None, "post", table(302, anonymous="login")),
    # Councils: "round" is an extra Bắc Ninh round whose council the `council` persona chairs (the Bắc Ninh
    # officer is its secretary); "evaluation" is a dossier of producer A before it, still being scored. The
    # offices read; the Bắc Ninh office runs the round; members declare and score; empty posts are refused
    # on the page (200). The platform administrator reads but takes no official step.
    ("councils:round_list", None, "get", COUNCIL_PAGES),
    (
        "councils:round_create",
        None,
        "get",
        table(403, central=200, province=200, province_other=200, anonymous="login"),
    ),
    ("councils:round_detail", "round", "get", COUNCIL_READERS),
    ("councils:round_add", "round", "post", {**COUNCIL_READERS_403, "province": 200}),
    ("councils:council_edit", "round", "get", {**COUNCIL_READERS_403, "province": 200}),
    ("councils:evaluation_detail", "evaluation", "get", COUNCIL_READERS),
    ("councils:note_add", "evaluation", "post", {**COUNCIL_READERS_403, "province": 200}),
    ("councils:written_opinions", "evaluation", "post", {**COUNCIL_READERS_403, "province": 302}),
    ("councils:declare", "evaluation", "post", {**COUNCIL_READERS_403, "council": 200}),
    ("councils:score", "evaluation", "get", {**COUNCIL_READERS_403, "council": 200}),
    ("councils:correct", "evaluation", "get", {**COUNCIL_READERS_403, "council": 200}),
    ("councils:close", "evaluation", "post", {**COUNCIL_READERS_403, "council": 200}),
    ("councils:decide", "evaluation", "post", {**COUNCIL_READERS_403, "province": 200}),
    ("scans:gs1", "scan_gs1", "get", table(200)),
    ("scans:short", "scan_short", "get", table(200)),
    ("scans:place", None, "post", table(400)),
    ("scans:report", None, "post", table(400)),
    ("scans:photo", "scan_photo", "get", table(200)),
    ("scans:scan_list", None, "get", SCAN_PAGES),
    ("scans:alert_list", None, "get", SCAN_PAGES),
    ("scans:alert_detail", "scan_alert", "get", ALERT_READERS),
    ("scans:alert_handle", "scan_alert", "post", ALERT_DECIDERS),
    ("stamps:batch_list", None, "get", table(200, council=403, anonymous="login")),
    ("stamps:batch_create", "stamp_lot", "get", STAMP_WRITERS),
    ("stamps:batch_detail", "stamp_batch", "get", STAMP_READERS),
    ("stamps:batch_progress", "stamp_batch", "get", STAMP_READERS),
    ("stamps:batch_pdf", "stamp_batch", "get", STAMP_WRITERS),
    ("stamps:batch_csv", "stamp_batch", "get", STAMP_WRITERS),
    ("stamps:batch_activate", "stamp_batch", "post", {**STAMP_WRITERS, **dict.fromkeys(STAMP_KEEPERS, 302)}),
    ("stamps:batch_void", "stamp_batch", "post", {**STAMP_WRITERS, **dict.fromkeys(STAMP_KEEPERS, 400)}),
    ("stamps:key_list", None, "get", table(403, admin=200, province=200, province_other=200, anonymous="login")),
    ("stamps:key_rotate", None, "post", table(403, admin=404, province=302, province_other=302, anonymous="login")),
    ("stamps:public_keys", None, "get", table(200)),
    ("traceability:lot_list", None, "get", table(200, council=403, anonymous="login")),
    # Opened by whoever keeps an active product of a verified producer (not a pending producer).
    (
        "traceability:lot_create",
        None,
        "get",
        table(200, central=403, commune=403, council=403, producer_pending=403, anonymous="login"),
    ),
    ("traceability:lot_detail", "lot", "get", LOT_READERS),
    ("traceability:lot_edit", "lot", "get", LOT_WRITERS),
    ("traceability:event_create", "lot", "get", LOT_WRITERS),
    ("traceability:lot_epcis", "lot", "get", LOT_READERS),
    (
        "traceability:lot_epcis_import",
        "lot",
        "post",
        {**LOT_WRITERS, "admin": 400, "province": 400, "producer_a": 400},
    ),
    # The lot's product holds a certificate in force (made in the fixture): its EPCIS document is public.
    ("api:lot_epcis", "lot", "get", table(200)),
]
for _app_table in APP_TABLES:
    CASES.extend(_app_table.CASES)


def _url_names(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_an_entry():
    covered = {case[0] for case in CASES} | {case[0] for case in REGISTRY_CASES}
    missing = set(_url_names()) - covered
    assert not missing, f"URLs without an authorization entry: {sorted(missing)}"
    assert not covered - set(_url_names()), "entries for URLs that no longer exist"


def test_every_entry_names_every_role():
    for name, _key, _method, expected in CASES:
        assert set(expected) == set(ALL), name


@pytest.fixture
def objects(world, client_for):
    job_file = xlsx_bytes([PRODUCER_HEADERS, [1, "HTX Bảng quyền", "HTX", tax_code(7), "Xã Lục Ngạn", "", "", ""]])
    job = upload_and_check(client_for("province"), job_file, "danh-sach.xlsx")
    event = record("update", instance=world.producer_a, note="authorization table")
    dossier = submitted_dossier(world)
    # Objects named by URL arguments rather than a primary key are given as the argument tuple itself.
    found = {
        "job": job,
        "event": event,
        "dossier": dossier,
        "dossier_evidence": (dossier.pk, dossier.evidence.first().pk),
        "rulebook": ("qd-26-2026",),
        "sheet": ("qd-26-2026", 1),
        "api_path": ("no-such-endpoint",),
    }
    found.update(council_objects(world))
    found.update(scan_objects(world))
    # Made after the dossier: a product with a certificate in force is not evaluated for the first time.
    certificate = make_certificate(world.product_a, star=4)
    found["certificate"] = certificate
    found["certificate_token"] = (certificate.verify_token,)
    found["inspection"] = make_inspection(certificate, world.user("province"))
    found["lot"] = make_lot(world.product_a)
    found.update(stamp_objects(world))
    for app_table in APP_TABLES:
        found.update(app_table.objects(world))
    found["notification"] = notify([world.user("producer_a")], kind="test", title="Nhắc việc", link="/dashboard/")[0]
    return found


def _category(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "login"
    return response.status_code


@pytest.mark.parametrize(("name", "key", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_authorization_table(world, objects, client_for, name, key, method, expected):
    obj = objects[key] if key else None
    args = list(obj) if isinstance(obj, tuple) else [obj.pk] if obj is not None else []
    url = reverse(name, args=args)
    seen = {}
    for persona in ALL:
        client = client_for(persona)
        # Each request is rolled back so one persona's action does not change what the next one meets.
        with transaction.atomic():
            response = client.get(url) if method == "get" else client.post(url, {})
            transaction.set_rollback(True)
        seen[persona] = _category(response)
    assert seen == expected
