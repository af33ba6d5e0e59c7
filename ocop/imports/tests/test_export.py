"""Export: scope per persona, filters, formula neutralisation, audit, and the round trip back in."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ocop.audit.models import AuditEvent
from ocop.certificates.models import Certificate
from ocop.imports.models import ImportJob
from ocop.imports.tests.util import check, confirm
from ocop.registry.models import Producer, Product

PRODUCER_SCOPE = {
    "admin": {"A", "B", "C", "Pending"},
    "central": {"A", "B", "C", "Pending"},
    "province": {"A", "B", "Pending"},
    "province_other": {"C"},
    "commune": {"A", "Pending"},
    "producer_a": {"A"},
    "producer_b": {"B"},
    "producer_pending": {"Pending"},
}
PRODUCT_SCOPE = {
    "admin": {"Vải thiều A", "Na dai B", "Cam C"},
    "central": {"Vải thiều A", "Na dai B", "Cam C"},
    "province": {"Vải thiều A", "Na dai B"},
    "province_other": {"Cam C"},
    "commune": {"Vải thiều A"},
    "producer_a": {"Vải thiều A"},
    "producer_b": {"Na dai B"},
    "producer_pending": set(),
}


def export(client, **params):
    return client.get(reverse("imports:export"), params)


def csv_rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.mark.parametrize("persona", sorted(PRODUCER_SCOPE))
def test_producer_export_scope(world, client_for, persona):
    response = export(client_for(persona), kind="producers", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    names = {name.removeprefix("HTX Persona ") for name in column(csv_rows(response), "Tên chủ thể")}
    assert names == PRODUCER_SCOPE[persona]


@pytest.mark.parametrize("persona", sorted(PRODUCT_SCOPE))
def test_product_export_scope(world, client_for, persona):
    response = export(client_for(persona), kind="products", format="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    names = {row[rows[0].index("Tên sản phẩm")] for row in rows[1:]}
    assert names == PRODUCT_SCOPE[persona]


def test_export_refused_to_council_and_anonymous(world, client_for):
    assert export(client_for("council"), kind="producers", format="csv").status_code == 403
    response = export(client_for("anonymous"), kind="producers", format="csv")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert export(client_for("province"), kind="users", format="csv").status_code == 400
    assert export(client_for("province"), kind="products", format="pdf").status_code == 400


def test_export_uses_the_registry_filters(world, client_for):
    client = client_for("admin")
    rows = csv_rows(export(client, kind="products", format="csv", q="vai"))
    assert column(rows, "Tên sản phẩm") == ["Vải thiều A"]
    rows = csv_rows(export(client, kind="producers", format="csv", province=world.ha_noi.pk))
    assert column(rows, "Tên chủ thể") == ["HTX Persona C"]
    rows = csv_rows(export(client, kind="producers", format="csv", status="pending"))
    assert column(rows, "Tên chủ thể") == ["HTX Persona Pending"]
    rows = csv_rows(
        export(client, kind="producers", format="csv", province=world.bac_ninh.pk, commune=world.luc_ngan.pk)
    )
    assert set(column(rows, "Tên chủ thể")) == {"HTX Persona A", "HTX Persona Pending"}
    # A filter never widens the scope: the Hà Nội office asking for Bắc Ninh gets nothing of it.
    rows = csv_rows(export(client_for("province_other"), kind="products", format="csv", province=world.bac_ninh.pk))
    assert "Vải thiều A" not in column(rows, "Tên sản phẩm")


def test_export_carries_representative_data_for_readers(world, client_for):
    rows = csv_rows(export(client_for("producer_a"), kind="producers", format="csv"))
    assert column(rows, "Số CCCD người đại diện") == ["024090001234"]
    assert column(rows, "Mã số thuế") == ["0100109106"]


def test_every_export_is_audited(world, client_for):
    export(client_for("province"), kind="products", format="csv", q="vai")
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == world.user("province")
    assert event.model == "registry.Product"
    assert event.after["rows"] == 1
    assert event.after["filters"] == {"q": "vai"}


HOSTILE = {
    "name": '=HYPERLINK("http://evil.example","bấm")',
    "street": "+1+2",
    "phone": "+84 912 345 678",
    "rep_name": "@SUM(A1)",
    "rep_ethnicity": "\tKinh",
    "website": "",
}


def _make_hostile(world):
    Producer.objects.filter(pk=world.producer_a.pk).update(**HOSTILE)


def test_csv_formula_cells_are_neutralised(world, client_for):
    _make_hostile(world)
    rows = csv_rows(export(client_for("producer_a"), kind="producers", format="csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Tên chủ thể"] == "'" + HOSTILE["name"]
    assert row["Địa chỉ"] == "'+1+2"
    assert row["Điện thoại"] == "'+84 912 345 678"
    assert row["Người đại diện"] == "'@SUM(A1)"
    assert row["Dân tộc"] == "'\tKinh"
    assert row["Mã số thuế"] == "0100109106"  # harmless values untouched


def test_xlsx_formula_cells_are_text(world, client_for):
    _make_hostile(world)
    Product.objects.filter(pk=world.product_a.pk).update(name="=1+1")
    for kind, expected in (("producers", HOSTILE["name"]), ("products", "=1+1")):
        response = export(client_for("producer_a"), kind=kind, format="xlsx")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
        workbook = load_workbook(io.BytesIO(response.content))
        cells = [cell for row in workbook.worksheets[0].iter_rows() for cell in row if cell.value]
        hostile = [cell for cell in cells if str(cell.value).startswith(("=", "+", "-", "@", "\t"))]
        assert expected in [cell.value for cell in hostile]
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)


def _reimport(client, content: bytes, name: str, kind: str) -> ImportJob:
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, content), "kind": kind})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = ImportJob.objects.latest("pk")
    check(client, job)
    return job


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_producers(world, client_for, file_format):
    _make_hostile(world)
    # Surrounding blanks are trimmed on import, so a value that starts with a
    # tab cannot come back unchanged; everything else must.
    Producer.objects.filter(pk=world.producer_a.pk).update(rep_ethnicity="Kinh")
    legacy = Producer.objects.create(
        name="HTX Hồng Giang",
        kind="coop_group",
        tax_code="",
        commune=world.luc_ngan.__class__.objects.get(map="legacy", name="Phường Hồng Giang"),
        current_commune=world.luc_ngan,
        rep_gender="female",
        rep_id_number="024190001111",
        website="https://vai.example.vn",
        email="hg@example.vn",
        status="verified",
    )
    client = client_for("province")
    content = export(client, kind="producers", format=file_format).content
    job = _reimport(client, content, f"export.{file_format}", "producers")
    assert set(job.mapping) >= {"name", "kind", "tax_code", "commune", "district", "province", "current_commune"}
    assert job.status == "preview", job.errors
    assert job.summary["counts"]["producers"] == {"create": 0, "update": 0, "unchanged": 4}
    before = Producer.objects.count()
    confirm(client, job)
    assert job.status == "done"
    assert Producer.objects.count() == before
    legacy.refresh_from_db()
    assert legacy.rep_gender == "female"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_products_with_certificates(world, client_for, file_format):
    Product.objects.filter(pk=world.product_b.pk).update(
        name="-Na dai B", code="24-7528-001-2024", gtin="8934567890120"
    )
    Certificate.objects.create(
        product=world.product_a,
        star=4,
        score=Decimal("75.50"),
        number="GCN-01",
        decision_number="12/QĐ-UBND",
        decision_date=dt.date(2024, 1, 5),
        issuing_body="UBND tỉnh Bắc Ninh",
        issued_on=dt.date(2024, 1, 10),
        expires_on=dt.date(2027, 1, 10),
        source="manual",
    )
    Certificate.objects.create(
        product=world.product_a, star=3, issued_on=dt.date(2020, 5, 1), expires_on=dt.date(2023, 5, 1)
    )
    client = client_for("province")
    content = export(client, kind="products", format=file_format).content
    job = _reimport(client, content, f"export.{file_format}", "products")
    assert job.status == "preview", job.errors
    assert job.summary["counts"] == {
        "producers": {"create": 0, "update": 0, "unchanged": 2},
        "products": {"create": 0, "update": 0, "unchanged": 2},
        "certificates": {"create": 0, "update": 0, "unchanged": 2},
    }
    counts = (Product.objects.count(), Certificate.objects.count())
    confirm(client, job)
    assert job.status == "done"
    assert (Product.objects.count(), Certificate.objects.count()) == counts
