"""Stamp pages: scope per persona (allow and deny), issuing, printing, activating, voiding, keys."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.stamps import actions, codes, keys
from ocop.stamps.models import SigningKey, StampBatch, StampState
from ocop.stamps.pdf import Layout
from ocop.stamps.tests.util import certified_lot, make_batch
from ocop.testing import PERSONAS

ALL = (*PERSONAS, "anonymous")
READERS = {"admin", "central", "province", "commune", "producer_a"}
WRITERS = {"admin", "province", "producer_a"}


def _expected(persona: str, allowed: set[str], readers: set[str] = READERS) -> object:
    if persona == "anonymous":
        return "login"
    if persona in allowed:
        return 200
    return 403 if persona in readers else 404


def _status(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "login"
    return response.status_code


@pytest.fixture
def batch(world):
    return make_batch(world.product_a, count=12, by=world.user("producer_a"))


def test_batch_list_scope(world, batch, client_for):
    make_batch(world.product_c, count=2)  # Hà Nội
    for persona in ALL:
        response = client_for(persona).get(reverse("stamps:batch_list"))
        if persona == "anonymous":
            assert _status(response) == "login"
        elif persona == "council":
            assert response.status_code == 403
        else:
            assert response.status_code == 200, persona
            shown = {b.pk for b in response.context["batches"]}
            assert (batch.pk in shown) == (persona in READERS), persona
            assert len(shown) == (
                2 if persona in ("admin", "central") else 1 if persona in READERS | {"province_other"} else 0
            )


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("stamps:batch_detail", READERS),
        ("stamps:batch_progress", READERS),
        ("stamps:batch_pdf", WRITERS),
        ("stamps:batch_csv", WRITERS),
    ],
)
def test_batch_pages_scope(batch, client_for, name, allowed):
    url = reverse(name, args=[batch.pk])
    for persona in ALL:
        assert _status(client_for(persona).get(url)) == _expected(persona, allowed), (name, persona)


def test_batch_create_scope(world, client_for):
    lot = certified_lot(world.product_a)
    url = reverse("stamps:batch_create", args=[lot.pk])
    for persona in ALL:
        assert _status(client_for(persona).get(url)) == _expected(persona, WRITERS), persona


@pytest.mark.parametrize("name", ["stamps:batch_activate", "stamps:batch_void"])
def test_range_actions_scope(batch, client_for, name):
    url = reverse(name, args=[batch.pk])
    for persona in ALL:
        response = client_for(persona).post(url, {"first": 1, "last": 2, "reason": "Test"})
        expected = _expected(persona, WRITERS)
        assert _status(response) == (302 if expected == 200 else expected), persona
    assert client_for("producer_a").get(url).status_code == 405


def test_issue_from_the_page(world, client_for):
    lot = certified_lot(world.product_a, quantity=40)
    client = client_for("producer_a")
    url = reverse("stamps:batch_create", args=[lot.pk])
    page = client.get(url)
    assert b"42" in page.content  # the cap: 40 packages plus 5 %
    response = client.post(url, {"count": 43, "signed": "on"})
    assert response.status_code == 400
    assert "tối đa 42 tem" in response.content.decode()
    assert not StampBatch.objects.exists()
    response = client.post(url, {"count": 40, "signed": "on"})
    batch = StampBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.signed and batch.signing_key.province == world.bac_ninh and batch.count == 40
    assert batch.created_by == world.user("producer_a")
    detail = client.get(batch.get_absolute_url())
    assert detail.status_code == 200
    assert len(detail.context["sample"]) == 10 and detail.context["qr_version"] >= 7
    progress = client.get(reverse("stamps:batch_progress", args=[batch.pk])).json()
    assert progress["done"] and progress["percent"] == 100


def test_issue_without_certificate_says_why(world, client_for):
    from ocop.traceability.tests.util import make_lot

    lot = make_lot(world.product_b)
    response = client_for("producer_b").post(reverse("stamps:batch_create", args=[lot.pk]), {"count": 5})
    assert response.status_code == 400
    assert "giấy chứng nhận OCOP đang còn hiệu lực" in response.content.decode()
    response = client_for("producer_b").post(reverse("stamps:batch_create", args=[lot.pk]), {"count": "many"})
    assert response.status_code == 400
    assert not StampBatch.objects.exists()


def test_activate_and_void_from_the_page(batch, client_for):
    client = client_for("province")
    response = client.post(reverse("stamps:batch_activate", args=[batch.pk]), {"first": 2, "last": 4})
    assert response.status_code == 302
    states = list(batch.stamps.order_by("seq").values_list("state", flat=True))
    assert states[:5] == [1, 2, 2, 2, 1]
    # Bad input: nothing changes and the page says why.
    response = client.post(reverse("stamps:batch_void", args=[batch.pk]), {"first": 5, "last": 3, "reason": "x"})
    assert response.status_code == 400 and "không được nhỏ hơn" in response.content.decode()
    response = client.post(reverse("stamps:batch_void", args=[batch.pk]), {"first": 1, "last": 99, "reason": "x"})
    assert response.status_code == 400 and "Đợt này có 12 tem" in response.content.decode()
    response = client.post(reverse("stamps:batch_void", args=[batch.pk]), {"first": 1, "last": 2})
    assert response.status_code == 400
    assert set(batch.stamps.filter(seq__gt=4).values_list("state", flat=True)) == {StampState.ISSUED}
    response = client.post(reverse("stamps:batch_void", args=[batch.pk]), {"reason": "Damaged roll"})
    assert response.status_code == 302
    assert set(batch.stamps.values_list("state", flat=True)) == {StampState.VOIDED}


def test_csv_for_printers(batch, client_for, settings):
    settings.SITE_URL = "https://ocop.example.gov.vn"
    response = client_for("producer_a").get(reverse("stamps:batch_csv", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["seq", "serial", "uri", "state"]
    serials = list(batch.stamps.order_by("seq").values_list("serial", flat=True))
    assert [r[1] for r in rows[1:]] == serials
    assert all(r[2] == f"HTTPS://OCOP.EXAMPLE.GOV.VN/S/{r[1]}" and r[3] == "issued" for r in rows[1:])
    part = client_for("producer_a").get(reverse("stamps:batch_csv", args=[batch.pk]), {"first": 3, "last": 4})
    assert [r[0] for r in csv.reader(io.StringIO(b"".join(part.streaming_content).decode()))][1:] == ["3", "4"]
    assert AuditEvent.objects.filter(action="export", model="stamps.StampBatch").count() == 2


def _decode_pdf_page(content: bytes, tmp_path, layout: Layout | None = None) -> list[str]:
    """The QR codes on page 1, read label by label (zbar misses some codes when given a whole sheet at once)."""
    from PIL import Image

    layout = layout or Layout()
    pdf_path = tmp_path / "stamps.pdf"
    pdf_path.write_bytes(content)
    dpi = 300
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(pdf_path), str(tmp_path / "page")], check=True
    )
    page = Image.open(next(tmp_path.glob("page*.png")))
    px = dpi / 25.4
    found = []
    for row in range(layout.rows):
        for col in range(layout.columns):
            left = (layout.margin_left_mm + col * (layout.label_width_mm + layout.gap_x_mm)) * px
            top = (layout.margin_top_mm + row * (layout.label_height_mm + layout.gap_y_mm)) * px
            side = min(layout.label_width_mm, layout.label_height_mm) * px
            cell = tmp_path / f"cell-{row}-{col}.png"
            page.crop((int(left), int(top), int(left + side), int(top + side))).save(cell)
            # QR codes only: zbar otherwise reads a run of modules as a short linear barcode now and then.
            result = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(cell)], capture_output=True, text=True
            )
            found += [line for line in result.stdout.splitlines() if line]
    return found


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler-utils and zbar-tools")
@pytest.mark.parametrize("signed", [False, True])
def test_pdf_sheets_hold_the_batch_qr_codes(world, client_for, tmp_path, settings, signed):
    settings.SITE_URL = "https://ocop.example.gov.vn"
    world.product_a.gtin = "8930000000019"
    world.product_a.save()
    batch = make_batch(world.product_a, count=50, signed=signed)
    response = client_for("producer_a").get(reverse("stamps:batch_pdf", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"DejaVuSans" in response.content  # the embedded font, for the Vietnamese text
    decoded = _decode_pdf_page(response.content, tmp_path)
    expected = [s.uri for s in actions.printed_stamps(batch, 1, 44)]  # 4 × 11 labels on page 1
    assert sorted(decoded) == sorted(expected)
    if signed:
        published = codes.keys_from_jwks(keys.public_key_set())
        assert all(codes.verify(text, published).ok for text in decoded)


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="poppler-utils and zbar-tools")
def test_pdf_layout_and_range(batch, client_for, tmp_path):
    layout = {
        "first": 5,
        "last": 10,
        "label_width_mm": 60,
        "label_height_mm": 30,
        "columns": 3,
        "rows": 2,
        "margin_left_mm": 10,
        "margin_top_mm": 10,
        "gap_x_mm": 5,
    }
    response = client_for("producer_a").get(reverse("stamps:batch_pdf", args=[batch.pk]), layout)
    assert response.status_code == 200
    decoded = _decode_pdf_page(
        response.content,
        tmp_path,
        Layout(
            label_width_mm=60, label_height_mm=30, columns=3, rows=2, margin_left_mm=10, margin_top_mm=10, gap_x_mm=5
        ),
    )
    serials = set(batch.stamps.filter(seq__gte=5, seq__lte=10).values_list("serial", flat=True))
    assert {codes.parse(text).serial for text in decoded} == serials


def test_pdf_refuses_bad_layouts_and_too_many_stamps(batch, client_for, settings):
    client = client_for("producer_a")
    url = reverse("stamps:batch_pdf", args=[batch.pk])
    response = client.get(url, {"columns": 9, "label_width_mm": 50})
    assert response.status_code == 400 and "lớn hơn chiều rộng trang" in response.content.decode()
    response = client.get(url, {"columns": "two"})
    assert response.status_code == 400
    settings.STAMP_PDF_MAX_PER_FILE = 5
    response = client.get(url, {"first": 1, "last": 8})
    assert response.status_code == 400 and "tối đa 5 tem" in response.content.decode()
    # Without a range, the first file's worth is printed.
    assert client.get(url).status_code == 200


def test_key_pages(world, client_for):
    for persona in ALL:
        response = client_for(persona).get(reverse("stamps:key_list"))
        expected = (
            "login" if persona == "anonymous" else 200 if persona in ("admin", "province", "province_other") else 403
        )
        assert _status(response) == expected, persona
    for persona in ("central", "commune", "producer_a", "council"):
        assert client_for(persona).post(reverse("stamps:key_rotate")).status_code == 403
    assert not SigningKey.objects.exists()
    response = client_for("province").post(reverse("stamps:key_rotate"), {"province": world.ha_noi.pk})
    assert response.status_code == 404  # not the officer's province
    assert client_for("province").post(reverse("stamps:key_rotate")).status_code == 302
    assert client_for("province").post(reverse("stamps:key_rotate")).status_code == 302
    assert (
        list(SigningKey.objects.filter(province=world.bac_ninh).values_list("retired_at", flat=True).order_by("pk"))[1]
        is None
    )
    assert SigningKey.objects.filter(province=world.bac_ninh).active().count() == 1
    assert client_for("admin").post(reverse("stamps:key_rotate"), {"province": world.ha_noi.pk}).status_code == 302
    page = client_for("province").get(reverse("stamps:key_list"))
    assert {k.province_id for k in page.context["keys"]} == {world.bac_ninh.pk}


def test_public_keys_are_published_to_everybody(world, client_for):
    key = keys.active_key(world.bac_ninh)
    retired_key = key
    key = keys.rotate(world.bac_ninh)
    for persona in ALL:
        response = client_for(persona).get("/.well-known/ocop-stamp-keys.json")
        assert response.status_code == 200, persona
    assert reverse("stamps:public_keys") == "/.well-known/ocop-stamp-keys.json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    by_kid = {k["kid"]: k for k in data["keys"]}
    assert set(by_kid) == {retired_key.kid, key.kid}
    assert by_kid[key.kid]["status"] == "active" and by_kid[key.kid]["valid_to"] is None
    assert by_kid[retired_key.kid]["valid_to"] is not None
    assert by_kid[key.kid]["province"] == world.bac_ninh.code
    assert codes.b64url_decode(by_kid[key.kid]["x"]) == bytes(key.public_key)
    assert "private" not in response.content.decode().lower()
