"""The scan page of a stamp: what a consumer sees, and what is (and is not) recorded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from ocop.certificates.models import Certificate
from ocop.lib import clock
from ocop.scans.models import Alert, AlertRule, Scan, ScanSummary
from ocop.scans.tests.util import GTIN14, path_of, printed_path, scan, stamped
from ocop.stamps import actions as stamp_actions


@pytest.fixture
def stamps(world):
    return stamped(world.product_a)[1]


def test_activated_stamp_of_a_certified_product(world, stamps):
    response = scan(path_of(stamps[0]))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.product_a.name in text and world.producer_a.name in text
    assert 'data-status="valid"' in text and 'data-state="activated"' in text
    assert response.context["counted"].count == 1
    assert 'data-count="1"' in text
    # Vietnamese by default.
    assert "Còn hiệu lực" in text or "còn hiệu lực" in text


def test_every_scan_counts_and_the_first_is_remembered(world, stamps):
    path = path_of(stamps[0])
    scan(path)
    second = scan(path)
    assert second.context["counted"].count == 2
    summary = ScanSummary.objects.get(stamp=stamps[0])
    assert (summary.count, summary.days) == (2, 1)
    assert Scan.objects.filter(stamp=stamps[0]).count() == 2
    assert second.context["counted"].first_at == summary.first_at


def test_a_reload_by_the_same_browser_is_not_a_new_scan(world, stamps):
    client = Client()
    path = path_of(stamps[0])
    assert client.get(path).context["counted"].count == 1
    reload = client.get(path)
    assert reload.status_code == 200 and reload.context["counted"].count == 1
    assert Scan.objects.count() == 1
    # …but another phone's scan is.
    assert scan(path).context["counted"].count == 2


def test_one_signed_value_serves_the_forms_and_the_counted_cookie(world, stamps):
    from ocop.scans.forms import read_token
    from ocop.scans.views import SEEN_COOKIE

    client = Client()
    path = path_of(stamps[0])
    first = client.get(path)
    token = first.context["place_token"]
    assert token and first.context["report_form"].initial["token"] == token
    assert first.cookies[SEEN_COOKIE].value == token
    value = read_token(token, max_age=60)
    assert value["s"] == stamps[0].pk and value["n"] == Scan.objects.get().pk
    # The reload offers the same scan's place form, under a fresh signature.
    assert read_token(client.get(path).context["place_token"], max_age=60)["n"] == value["n"]


@pytest.mark.parametrize(
    "cookie",
    [
        "not-signed",
        "{token}x",  # tampered
        "{other}",  # the counted scan of another stamp
        "{report}",  # a signed token that names no scan (a lot page's report form)
    ],
)
def test_a_counted_cookie_that_is_not_this_stamps_counts_again(world, stamps, cookie):
    from ocop.scans.forms import page_token
    from ocop.scans.views import SEEN_COOKIE

    token = scan(path_of(stamps[0])).context["place_token"]
    other = scan(path_of(stamps[1])).context["place_token"]
    report = page_token(code="x", stamp_id=stamps[0].pk, lot_id=None, product_id=None)
    client = Client()
    client.cookies[SEEN_COOKIE] = cookie.format(token=token, other=other, report=report)
    assert client.get(path_of(stamps[0])).context["counted"].count == 2


def test_a_report_token_cannot_record_a_place(world, stamps):
    from ocop.scans.forms import page_token

    report = page_token(code="x", stamp_id=stamps[0].pk, lot_id=None, product_id=None)
    response = Client().post("/scans/place/", {"token": report, "province": str(world.ha_noi.pk)})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["token"]
    assert Scan.objects.filter(province__isnull=False).count() == 0


def test_english_switch(world, stamps):
    client = Client()
    client.cookies["django_language"] = "en"
    text = client.get(path_of(stamps[0])).content.decode()
    assert "OCOP certificate" in text and "Valid" in text


def test_serials_match_whatever_the_case(world, stamps):
    lower = path_of(stamps[0]).lower()
    response = scan(lower)
    assert response.status_code == 200 and response.context["stamp"] == stamps[0]
    # The short form reaches the same stamp, in upper or lower case.
    assert scan(f"/S/{stamps[1].serial}").context["stamp"] == stamps[1]
    assert scan(f"/s/{stamps[1].serial.lower()}").context["stamp"] == stamps[1]


def test_revoked_certificate_says_so(world, stamps):
    Certificate.objects.filter(product=world.product_a).update(revoked_on=clock.today(), revocation_reason="test")
    response = scan(path_of(stamps[0]))
    assert response.status_code == 200
    assert response.context["status"] == "revoked"
    assert 'data-status="revoked"' in response.content.decode()
    assert Scan.objects.get().certificate_status == "revoked"
    assert Alert.objects.filter(rule=AlertRule.AFTER_REVOCATION, product=world.product_a).exists()


def test_expired_certificate_says_so(world, stamps, clock):
    clock.move(months=40)
    response = scan(path_of(stamps[0]))
    assert response.context["status"] == "expired"
    assert 'data-status="expired"' in response.content.decode()
    # Expiry alone raises no alert: packages stay on shelves after a certificate ends.
    assert not Alert.objects.exists()


def test_voided_stamp(world):
    batch, stamps = stamped(world.product_a)
    stamp_actions.void(batch, first=1, last=1, reason="Tem in lỗi")
    response = scan(path_of(stamps[0]))
    assert response.status_code == 200
    assert response.context["voided"] and 'data-state="voided"' in response.content.decode()
    alert = Alert.objects.get(rule=AlertRule.VOIDED_STAMP)
    assert alert.stamp_id == stamps[0].pk and alert.producer_id == world.producer_a.pk


def test_never_activated_stamp(world):
    _batch, stamps = stamped(world.product_a, activate=False)
    response = scan(path_of(stamps[0]))
    assert response.status_code == 200
    assert response.context["never_activated"] and 'data-state="issued"' in response.content.decode()
    assert Alert.objects.filter(rule=AlertRule.INACTIVE_STAMP, stamp=stamps[0]).exists()
    # A second scan of the same stamp adds a hit to the open alert, not a new alert.
    scan(path_of(stamps[0]))
    assert Alert.objects.get(rule=AlertRule.INACTIVE_STAMP).hits == 2


def test_product_without_gtin_uses_the_short_form(world):
    _batch, stamps = stamped(world.product_b, gtin=None)
    path = path_of(stamps[0])
    assert path == f"/S/{stamps[0].serial}"
    assert scan(path).status_code == 200


def test_the_printed_uri_resolves(world, stamps):
    assert printed_path(stamps[2]).startswith(f"/01/{GTIN14}/10/")
    assert scan(printed_path(stamps[2])).context["stamp"] == stamps[2]


def test_lot_data_and_trace_events_on_the_page(world, stamps):
    from ocop.traceability.tests.util import make_event

    lot = stamps[0].batch.lot
    make_event(lot, actor="HTX Persona A", place="Vườn vải thôn Đồng")
    make_event(lot, event_type="packing", occurred_at=clock.now() - dt.timedelta(days=1), actor="Xưởng đóng gói")
    text = scan(path_of(stamps[0])).content.decode()
    assert lot.number in text and "Vườn vải thôn Đồng" in text and "Xưởng đóng gói" in text
    assert text.index("Vườn vải thôn Đồng") < text.index("Xưởng đóng gói")  # a timeline, oldest first


def test_producer_personal_data_is_never_shown(world, stamps):
    text = scan(path_of(stamps[0])).content.decode()
    producer = world.producer_a
    for private in (producer.rep_name, producer.rep_id_number, producer.phone):
        assert private not in text


def test_no_full_ip_address_or_user_agent_is_stored(world, stamps):
    ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) UniqueAgent/4.2"
    scan(path_of(stamps[0]), ip="203.0.113.77", ua=ua)
    row = Scan.objects.values().get()
    stored = " ".join(str(v) for v in row.values())
    assert "203.0.113" not in stored and "UniqueAgent" not in stored and "iPhone" not in stored
    assert len(row["ua_hash"]) == 64 and row["province_id"] is None
    # The hash tells devices apart.
    scan(path_of(stamps[0]), ua="Mozilla/5.0 other device")
    assert len(set(Scan.objects.values_list("ua_hash", flat=True))) == 2


def test_head_does_not_count_a_scan(world, stamps):
    response = Client().head(path_of(stamps[0]))
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert not Scan.objects.exists()


def test_signed_stamp_is_verified_on_the_server_and_in_the_browser(world):
    _batch, stamps = stamped(world.product_a, signed=True)
    path = printed_path(stamps[0])
    assert "/K/" in path and "/G/" in path
    response = scan(path)
    assert response.status_code == 200 and response.context["signature"] == "verified"
    text = response.content.decode()
    assert "stamps/verify.js" in text and "data-stamp-verify" in text and 'data-state="verified"' in text


def test_signed_stamp_with_one_character_changed_is_invalid(world):
    _batch, stamps = stamped(world.product_a, signed=True)
    path = printed_path(stamps[0])
    last = path[-1]
    forged = path[:-1] + ("A" if last != "A" else "B")
    response = scan(forged)
    assert response.status_code == 200 and response.context["signature"] == "invalid"
    assert 'data-state="invalid"' in response.content.decode()


def test_signed_stamp_scanned_without_its_signature(world):
    _batch, stamps = stamped(world.product_a, signed=True)
    response = scan(path_of(stamps[0]))
    assert response.context["signature"] == "missing"


def test_unsigned_stamp_shows_no_signature_block(world, stamps):
    response = scan(path_of(stamps[0]))
    assert response.context["signature"] == "" and 'id="signature"' not in response.content.decode()


def test_public_photo_route(world, stamps):
    from django.core.files.base import ContentFile

    from ocop.registry.models import ProductPhoto

    photo = ProductPhoto(product=world.product_a, content_type="image/jpeg", width=1, height=1, size=3, sha256="a" * 64)
    photo.image.save("p.jpg", ContentFile(b"jpg"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"thumb"), save=False)
    photo.save()
    response = scan(path_of(stamps[0]))
    assert response.context["photo"] == photo
    got = Client().get(f"/scans/photos/{photo.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"thumb"
    # A product with no certificate has no public photo.
    other = ProductPhoto(product=world.product_c, content_type="image/jpeg", width=1, height=1, size=3, sha256="b" * 64)
    other.image.save("p.jpg", ContentFile(b"jpg"), save=False)
    other.thumbnail.save("t.jpg", ContentFile(b"thumb"), save=False)
    other.save()
    assert Client().get(f"/scans/photos/{other.pk}/").status_code == 404


def test_scan_path_query_count_is_pinned(world, stamps, django_assert_max_num_queries):
    path = path_of(stamps[0])
    scan(path)  # the first scan creates the stamp's summary row
    # The stamp with all it shows (one joined query), then one write transaction: the scan insert and the summary
    # update (5 with the transaction's savepoint and its release, as the tests run). The certificate, photo,
    # trace events, standards and provinces come from the cache (`pagecache`).
    with django_assert_max_num_queries(5):
        assert scan(path).status_code == 200
    # A stamp's first scan creates its summary row in a savepoint of its own (two phones may race): 7.
    with django_assert_max_num_queries(7):
        assert scan(path_of(stamps[1])).status_code == 200


def test_cached_lot_data_is_read_afresh_after_a_change(world, stamps):
    from ocop.traceability.tests.util import make_event

    lot = stamps[0].batch.lot
    first = scan(path_of(stamps[0]))
    assert first.context["status"] == "valid" and "Kho lạnh Bắc Giang" not in first.content.decode()
    make_event(lot, actor="Kho lạnh Bắc Giang")
    certificate = Certificate.objects.get(product=world.product_a)
    certificate.revoked_on, certificate.revocation_reason = clock.today(), "test"
    certificate.save(update_fields=["revoked_on", "revocation_reason"])
    again = scan(path_of(stamps[1]))
    assert again.context["status"] == "revoked" and 'data-status="revoked"' in again.content.decode()
    assert "Kho lạnh Bắc Giang" in again.content.decode()
    # The province list is cached too, and is the same list.
    assert again.content.decode().count("<option") == first.content.decode().count("<option") > 30


def test_repeat_scan_query_count_is_pinned(world, stamps, django_assert_num_queries):
    path = path_of(stamps[0])
    scan(path)  # builds what the batch's pages share (batch, lot data, page skeleton) and the stamp's figures
    # The stamp with its figures (one query by serial), then one write transaction: the scan row and the figures'
    # upsert (as the tests run, the transaction is a savepoint: + SAVEPOINT and RELEASE). Nothing else: no
    # session, no user, no template rendered.
    with django_assert_num_queries(5):
        assert scan(path).status_code == 200
    # A stamp's first scan costs the same: its figures' row is made by the same statement.
    with django_assert_num_queries(5):
        assert scan(path_of(stamps[1])).status_code == 200


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("signed", [False, True])
def test_assembled_page_is_the_rendered_page(world, language, signed, rf):
    """The skeleton filled in for an anonymous visitor gives the bytes the template renders for the same scan."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from ocop.scans import pagecache, pages
    from ocop.scans.actions import Counted
    from ocop.scans.resolver import resolve_gs1, resolve_short

    _batch, stamps = stamped(world.product_a, signed=signed)
    scan(path_of(stamps[0]))  # a built skeleton, and figures with a first scan
    address = printed_path(stamps[0])
    today = clock.today()
    with translation.override(language):
        for path, query in ((address, ""), (address.lower(), "a=1&b='x'<")):
            gen = pagecache.generation()
            rest = path.split("/", 2)[2]
            resolution = resolve_gs1(rest, gen=gen) if path.startswith("/01/") else resolve_short(rest, gen=gen)
            data = pagecache.lot_data(resolution.product, resolution.lot, today, gen=gen)
            for counted in (
                Counted(None, 1, clock.now(), None),
                Counted(None, 1234, clock.now() - dt.timedelta(days=3), world.ha_noi),
                Counted(None, 0, None, None),
            ):
                for place_token in ("place.token-1", ""):
                    scanned = pages.Scanned(
                        counted=counted,
                        signature="verified" if signed else "",
                        place_token=place_token,
                        report_token="report:token&<'\"",
                        signed_code=path if signed else "",
                    )
                    request = rf.get(path, QUERY_STRING=query, HTTP_HOST="localhost")
                    request.user = AnonymousUser()
                    assembled = pages.assemble(request, resolution, data, today, gen, scanned).content.decode()
                    rendered = pages.render_full(request, resolution, data, today, gen, scanned).content.decode()
                    assert assembled == rendered
                    assert "csrfmiddlewaretoken" not in assembled
                    assert "zq" + pagecache._MARKER_TAG not in assembled
                    assert "report:token&amp;&lt;&#x27;&quot;" in assembled
    assert 'value="/01/' in assembled and "b=&#x27;x&#x27;" in assembled  # the language switch's "next", escaped


def test_assembled_page_sets_no_csrf_cookie_and_its_forms_work(world, stamps):
    """The anonymous stamp page carries no CSRF token and sets no CSRF cookie; its three forms post from the
    page's own origin (what a browser says of a form of this site), with Django's CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(path_of(stamps[0]), REMOTE_ADDR="198.51.100.7")
    text = page.content.decode()
    assert "csrfmiddlewaretoken" not in text and "csrftoken" not in page.cookies
    assert text.count('action="/scans/place/"') + text.count('action="/scans/report/"') == 2
    assert 'action="/i18n/setlang/"' in text
    report = re.search(r'name="token" value="([^"]+)" id="id_token"', text).group(1)
    same_site = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
    sent = client.post("/scans/report/", {"token": report, "message": "Tem lạ"}, **same_site)
    assert sent.status_code == 200 and Alert.objects.filter(rule=AlertRule.CONSUMER_REPORT).exists()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **same_site)
    assert switched.status_code == 302 and client.cookies["django_language"].value == "en"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "https://other.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_stamp_page_forms_refuse_posts_from_other_sites(world, stamps, headers):
    client = Client(enforce_csrf_checks=True)
    text = client.get(path_of(stamps[0]), REMOTE_ADDR="198.51.100.7").content.decode()
    report = re.search(r'name="token" value="([^"]+)" id="id_token"', text).group(1)
    assert client.post("/scans/report/", {"token": report, "message": "x"}, **headers).status_code == 403
    assert client.post("/scans/place/", {"token": report, "province": world.ha_noi.pk}, **headers).status_code == 403
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **headers).status_code == 403
    assert not Alert.objects.filter(rule=AlertRule.CONSUMER_REPORT).exists()
    assert "django_language" not in client.cookies


def test_signed_in_browsers_still_need_the_csrf_token(world, stamps, client_for):
    """A browser with a session posts the language switch and the report with Django's token, as everywhere."""
    client = client_for("producer_a")
    client.handler.enforce_csrf_checks = True
    page = client.get(path_of(stamps[0]))
    text = page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', text).group(1)
    report = re.search(r'name="token" value="([^"]+)" id="id_token"', text).group(1)
    same_site = {"HTTP_SEC_FETCH_SITE": "same-origin"}
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **same_site).status_code == 403
    assert client.post("/scans/report/", {"token": report, "message": "x"}, **same_site).status_code == 403
    sent = client.post("/scans/report/", {"token": report, "message": "x", "csrfmiddlewaretoken": token}, **same_site)
    assert sent.status_code == 200
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_signed_in_users_get_the_page_rendered_in_full(world, stamps, client_for):
    """A session means a menu and messages that differ per user: the page is rendered for them."""
    text = client_for("producer_a").get(path_of(stamps[0])).content.decode()
    assert 'data-count="1"' in text and "Đăng xuất" in text
    anonymous = scan(path_of(stamps[0])).content.decode()
    assert 'data-count="2"' in anonymous and "Đăng xuất" not in anonymous


def test_revocation_shows_at_once_on_an_assembled_page(world, stamps):
    first = scan(path_of(stamps[0]))
    assert 'data-status="valid"' in first.content.decode()
    certificate = Certificate.objects.get(product=world.product_a)
    certificate.revoked_on, certificate.revocation_reason = clock.today(), "test"
    certificate.save(update_fields=["revoked_on", "revocation_reason"])
    again = scan(path_of(stamps[0])).content.decode()
    assert 'data-status="revoked"' in again and 'data-count="2"' in again


def test_the_scan_write_queues_at_the_writers_gate(world, stamps, monkeypatch):
    from contextlib import contextmanager

    from ocop.lib import sqlite

    taken = []

    @contextmanager
    def gate(alias):
        taken.append(alias)
        yield

    monkeypatch.setattr(sqlite, "write_gate", gate)
    scan(path_of(stamps[0]))
    assert taken == ["default"]


@pytest.mark.django_db(transaction=True)
def test_scans_written_outside_a_transaction(reference_data, world):
    """As a server writes them (on SQLite through the driver's own connection): counted, and a failed write
    leaves nothing behind and the connection usable."""
    from django.db import IntegrityError, connection

    from ocop.scans import sql

    stamp = stamped(world.product_a)[1][0]
    path = path_of(stamp)
    assert not connection.in_atomic_block
    scan(path)
    assert scan(path).context["counted"].count == 2
    assert ScanSummary.objects.get(stamp=stamp).count == 2 and Scan.objects.count() == 2
    now = clock.now()
    missing = 10**12  # no such stamp: the foreign key fails, at the latest when the transaction commits
    with pytest.raises(IntegrityError):
        sql.write_scan(
            "default",
            [missing, connection.ops.adapt_datetimefield_value(now), "", 1, ""],
            lambda scan_id: sql.count_scan_params("default", missing, now, scan_id, now.date()),
        )
    assert Scan.objects.count() == 2 and not ScanSummary.objects.filter(stamp_id=missing).exists()
    assert scan(path).context["counted"].count == 3


@pytest.mark.django_db(transaction=True)
def test_stamp_look_up_outside_a_transaction(reference_data, world):
    """On SQLite the look-up then runs on the driver's own connection: the same figures, the same answers."""
    from django.db import connection

    stamp = stamped(world.product_a)[1][0]
    assert not connection.in_atomic_block
    first = scan(path_of(stamp)).context["counted"]
    summary = ScanSummary.objects.get(stamp=stamp)
    assert (first.count, first.first_at) == (1, summary.first_at)
    second = scan(path_of(stamp)).context["counted"]
    assert (second.count, second.first_at) == (2, summary.first_at)
    made_up = path_of(stamp)[:-4] + ("ZZZZ" if not path_of(stamp).endswith("ZZZZ") else "YYYY")
    assert scan(made_up).status_code == 404
