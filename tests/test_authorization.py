"""The authorization table: every URL of the platform × every role, with the expected answer.

`test_every_url_has_an_entry` fails as soon as a URL is added without a row
here (or in the registry's own table, which this file reuses), so nobody can
ship a page whose access was never decided.

Statuses: 200 page, 302 redirect that is not the login page ("ok" for
actions), 403 refused, 404 not found (out of scope: existence not revealed),
405 wrong method, "login" a redirect to the login page.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ocop.audit.log import record
from ocop.imports.tests.util import PRODUCER_HEADERS, tax_code, upload_and_check, xlsx_bytes
from ocop.registry.tests.test_access import CASES as REGISTRY_CASES
from ocop.testing import PERSONAS

ALL = (*PERSONAS, "anonymous")
STAFF = ("admin", "central", "province", "province_other", "commune", "council")
PRODUCERS = ("producer_a", "producer_b", "producer_pending")


def table(default, **overrides) -> dict[str, object]:
    """Expected answer for every persona: `default` unless overridden by name."""
    return {p: overrides.get(p, default) for p in ALL}


LOGGED_IN = table(200, anonymous="login")
ADMIN_ONLY = table(403, admin=200, anonymous="login")
IMPORTERS = table(403, admin=200, province=200, province_other=200, anonymous="login")
# An import job made by the Bắc Ninh office: the Hà Nội office is told it does not exist.
IMPORT_JOB = table(403, admin=200, province=200, province_other=404, anonymous="login")

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
]


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
    return {"job": job, "event": event}


def _category(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "login"
    return response.status_code


@pytest.mark.parametrize(("name", "key", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_authorization_table(world, objects, client_for, name, key, method, expected):
    url = reverse(name, args=[objects[key].pk]) if key else reverse(name)
    seen = {}
    for persona in ALL:
        client = client_for(persona)
        # Each request is rolled back so one persona's action does not change what the next one meets.
        with transaction.atomic():
            response = client.get(url) if method == "get" else client.post(url, {})
            transaction.set_rollback(True)
        seen[persona] = _category(response)
    assert seen == expected
