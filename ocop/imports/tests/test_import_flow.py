"""Upload → columns → dry run → import: errors, idempotence, all-or-nothing, old communes."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.certificates.models import Certificate
from ocop.geo.models import AdminUnit
from ocop.imports import importer
from ocop.imports.models import ImportJob
from ocop.imports.tests.util import (
    PRODUCER_HEADERS,
    PRODUCT_HEADERS,
    bad_check_digit,
    check,
    confirm,
    csv_bytes,
    tax_code,
    upload,
    upload_and_check,
    xlsx_bytes,
)
from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product

LUC_NGAN = "Xã Lục Ngạn"


def producer_rows(bad_row: int | None = None) -> list[list]:
    rows = [PRODUCER_HEADERS]
    kinds = ["HTX", "THT", "doanh nghiệp", "Hộ kinh doanh", "Trang trại", "Cooperative"]
    for i in range(6):
        code = tax_code(10 + i)
        rows.append([i + 1, f"Chủ thể số {i + 1}", kinds[i], code, LUC_NGAN, "", "Bắc Ninh", "0912 345 678"])
    if bad_row is not None:
        # Spreadsheet row `bad_row` (the header is row 1).
        rows[bad_row - 1][3] = bad_check_digit(rows[bad_row - 1][3])
    return rows


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def officer(world, client_for):
    return client_for("province")


def test_bad_row_is_reported_in_vietnamese_and_blocks_the_import(officer):
    before = Producer.objects.count()
    job = upload_and_check(officer, xlsx_bytes(producer_rows(bad_row=7)), "chu-the.xlsx")
    assert job.status == "invalid"
    assert job.error_count == 1
    assert job.errors[0]["row"] == 7
    page = page_text(officer.get(reverse("imports:preview", args=[job.pk])))
    assert "Dòng 7, cột 'Mã số thuế': mã số thuế sai chữ số kiểm tra" in page
    assert "Nhập ngay" not in page  # no confirm button

    response = confirm(officer, job)
    assert response.status_code == 302
    assert job.status == "invalid"
    assert Producer.objects.count() == before


def test_fixed_file_imports_then_rerun_changes_nothing(world, officer):
    before = Producer.objects.count()
    content = xlsx_bytes(producer_rows())
    job = upload_and_check(officer, content, "chu-the.xlsx")
    assert job.status == "preview", job.errors
    assert job.summary["counts"]["producers"] == {"create": 6, "update": 0, "unchanged": 0}
    assert Producer.objects.count() == before  # the dry run wrote nothing

    events_before = AuditEvent.objects.filter(model="registry.Producer", action="create").count()
    confirm(officer, job)
    assert job.status == "done", job.failure_reason
    assert Producer.objects.count() == before + 6
    created = Producer.objects.get(tax_code=tax_code(10))
    assert created.kind == ProducerKind.COOPERATIVE
    assert created.province == world.bac_ninh
    assert created.current_commune == world.luc_ngan
    assert created.status == ProducerStatus.VERIFIED
    assert Producer.objects.get(tax_code=tax_code(11)).kind == ProducerKind.COOPERATIVE_GROUP
    assert Producer.objects.get(tax_code=tax_code(13)).kind == ProducerKind.REGISTERED_HOUSEHOLD
    # Every created record is in the audit log, attributed to the officer.
    events = AuditEvent.objects.filter(model="registry.Producer", action="create")
    assert events.count() == events_before + 6
    assert set(events.order_by("-id")[:6].values_list("actor_id", flat=True)) == {world.user("province").pk}
    assert AuditEvent.objects.filter(action="import", model="imports.ImportJob", object_id=str(job.pk)).exists()
    page = page_text(officer.get(reverse("imports:detail", args=[job.pk])))
    assert "Đã nhập xong." in page and 'data-count="producers-create">6<' in page
    assert job.original_name in page_text(officer.get(reverse("imports:list")))

    again = upload_and_check(officer, content, "chu-the.xlsx")
    assert again.status == "preview"
    assert again.summary["counts"]["producers"] == {"create": 0, "update": 0, "unchanged": 6}
    page = page_text(officer.get(reverse("imports:preview", args=[again.pk])))
    assert "Không đổi" in page
    confirm(officer, again)
    assert again.status == "done"
    assert again.summary["counts"]["producers"]["unchanged"] == 6
    assert Producer.objects.count() == before + 6


def test_changed_values_are_updates_and_blank_cells_keep_values(world, officer):
    job = upload_and_check(officer, xlsx_bytes(producer_rows()), "a.xlsx")
    confirm(officer, job)
    rows = producer_rows()
    rows[1][1] = "Chủ thể số 1 (đổi tên)"
    rows[2][7] = ""  # blank phone: keeps the stored one
    job = upload_and_check(officer, xlsx_bytes(rows), "b.xlsx")
    assert job.summary["counts"]["producers"] == {"create": 0, "update": 1, "unchanged": 5}
    confirm(officer, job)
    assert Producer.objects.get(tax_code=tax_code(10)).name == "Chủ thể số 1 (đổi tên)"
    assert Producer.objects.get(tax_code=tax_code(11)).phone == "0912 345 678"
    assert AuditEvent.objects.filter(model="registry.Producer", action="update").exists()


def test_row_numbers_follow_the_sheet_across_blank_rows(officer):
    rows = producer_rows()
    rows.insert(2, [None] * len(PRODUCER_HEADERS))  # row 3 left empty
    rows[5][3] = "12345"  # now spreadsheet row 6
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [(6, "Mã số thuế", "tax_code_format")]


def test_cell_errors_name_row_column_and_value(officer):
    rows = [
        PRODUCER_HEADERS,
        [1, "", "HTX", "", LUC_NGAN, "", "", ""],
        [2, "HTX B", "Xưởng", "", LUC_NGAN, "", "", ""],
        [3, "HTX C", "HTX", "", "Phường Hoàn Kiếm", "", "", ""],
        [4, "HTX D", "HTX", "", LUC_NGAN, "", "Thái Bình", ""],
        [5, "HTX E", "HTX", "", LUC_NGAN, "", "", "abc"],
        [6, "HTX F", "HTX", tax_code(1), LUC_NGAN, "", "", ""],
        [7, "HTX G", "HTX", tax_code(1), LUC_NGAN, "", "", ""],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    found = {(e["row"], e["code"]) for e in job.errors}
    assert found == {
        (2, "required"),
        (3, "kind_unknown"),
        (4, "commune_unknown"),
        (5, "province_other"),
        (6, "phone"),
        (8, "duplicate_producer"),
    }
    page = page_text(officer.get(reverse("imports:preview", args=[job.pk])))
    assert "Dòng 4, cột 'Xã/phường': không có xã/phường “Phường Hoàn Kiếm” trong Bắc Ninh" in page
    assert "Dòng 8, cột 'Mã số thuế': chủ thể này đã có ở dòng 7" in page


def test_producer_kind_inferred_from_name(officer):
    rows = [["Tên chủ thể", "Xã/phường"], ["HTX Nông sản Lục Ngạn", LUC_NGAN], ["Công ty TNHH Mỳ Chũ", LUC_NGAN]]
    job = upload_and_check(officer, csv_bytes(rows), "a.csv")
    assert job.status == "preview", job.errors
    confirm(officer, job)
    assert Producer.objects.get(name="HTX Nông sản Lục Ngạn").kind == ProducerKind.COOPERATIVE
    assert Producer.objects.get(name="Công ty TNHH Mỳ Chũ").kind == ProducerKind.ENTERPRISE


def test_legacy_commune_resolves_to_the_old_map(world, officer):
    rows = [
        ["Tên chủ thể", "Loại hình", "Mã số thuế", "Xã", "Huyện", "Tỉnh"],
        ["HTX Vải thiều Hồng Giang", "HTX", tax_code(50), "Xã Hồng Giang", "Huyện Lục Ngạn", "Bắc Giang"],
        ["HTX Đồng Tiến", "HTX", tax_code(51), "Xã Đồng Tiến", "Huyện Yên Thế", "Bắc Giang"],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "bac-giang-2022.xlsx")
    assert job.status == "preview", job.errors
    confirm(officer, job)
    producer = Producer.objects.get(tax_code=tax_code(50))
    # In 2022 Hồng Giang was a commune of Lục Ngạn; on the map just before the
    # merger it is a ward of Thị xã Chũ, carved out of Lục Ngạn.
    assert producer.commune.map == "legacy"
    assert producer.commune.name == "Phường Hồng Giang"
    assert producer.commune.parent.name == "Thị xã Chũ"
    assert producer.commune.province.name == "Bắc Giang"
    assert producer.province == world.bac_ninh
    assert producer.current_commune is None
    dong_tien = Producer.objects.get(tax_code=tax_code(51)).commune
    assert dong_tien.parent.name == "Huyện Yên Thế"


def test_legacy_commune_ambiguous_without_district(officer):
    rows = [["Tên chủ thể", "Loại hình", "Xã", "Tỉnh"], ["HTX Đồng Tiến", "HTX", "Xã Đồng Tiến", "Bắc Giang"]]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    assert [e["code"] for e in job.errors] == ["commune_ambiguous"]
    page = page_text(officer.get(reverse("imports:preview", args=[job.pk])))
    assert "Huyện Yên Thế" in page and "Huyện Hiệp Hòa" in page


def test_present_day_commune_column(world, officer):
    rows = [
        ["Tên chủ thể", "Loại hình", "Xã", "Huyện", "Tỉnh", "Xã/phường hiện nay"],
        ["HTX Cấm Sơn", "HTX", "Cấm Sơn", "Lục Ngạn", "Bắc Giang", "xa luc ngan"],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    assert job.mapping["current_commune"] == "Xã/phường hiện nay"
    confirm(officer, job)
    producer = Producer.objects.get(name="HTX Cấm Sơn")
    assert producer.commune.map == "legacy"
    assert producer.current_commune == world.luc_ngan


def product_rows(codes: list[str]) -> list[list]:
    return [
        PRODUCT_HEADERS,
        [1, codes[0], "", "Vải thiều sấy", 7, "3 sao", "62,5", "123/QĐ-UBND", "15/03/2022"],
        [2, codes[0], "", "Vải thiều tươi", "Rau, củ, quả, hạt tươi", "★★★★", 78, "456/QĐ-UBND", dt.date(2024, 2, 29)],
        [3, codes[1], "", "Mật ong hoa vải", "4", 3, "", "", "2021-06-01"],
        [4, "", "HTX Persona A", "Vải thiều A", 1, "4 sao", "", "77/QĐ-UBND", "01/07/2023"],
    ]


def test_products_with_ratings_become_import_certificates(world, officer):
    producers = upload_and_check(officer, xlsx_bytes(producer_rows()), "chu-the.xlsx")
    confirm(officer, producers)
    codes = [tax_code(10), tax_code(11)]
    job = upload_and_check(officer, xlsx_bytes(product_rows(codes)), "san-pham.xlsx", kind="products")
    assert job.status == "preview", job.errors
    assert job.summary["counts"] == {
        "producers": {"create": 0, "update": 0, "unchanged": 3},
        "products": {"create": 3, "update": 0, "unchanged": 1},
        "certificates": {"create": 4, "update": 0, "unchanged": 0},
    }
    confirm(officer, job)
    assert job.status == "done", job.failure_reason
    dried = Product.objects.get(name="Vải thiều sấy")
    assert dried.producer.tax_code == codes[0]
    assert dried.product_set.number == 7
    assert dried.province == world.bac_ninh
    cert = dried.certificates.get()
    assert (cert.star, cert.score, cert.decision_number) == (3, Decimal("62.50"), "123/QĐ-UBND")
    assert cert.issued_on == dt.date(2022, 3, 15)
    assert cert.expires_on == dt.date(2025, 3, 15)  # 36 months
    assert cert.source == "import"
    assert cert.rulebook == "qd-1048-2019"
    fresh = Product.objects.get(name="Vải thiều tươi").certificates.get()
    assert (fresh.star, fresh.expires_on) == (4, dt.date(2027, 2, 28))
    assert world.product_a.certificates.get().star == 4
    assert AuditEvent.objects.filter(model="certificates.Certificate", action="create").count() >= 4

    again = upload_and_check(officer, xlsx_bytes(product_rows(codes)), "san-pham.xlsx", kind="products")
    assert again.summary["counts"]["products"] == {"create": 0, "update": 0, "unchanged": 4}
    assert again.summary["counts"]["certificates"] == {"create": 0, "update": 0, "unchanged": 4}
    certificates = Certificate.objects.count()
    confirm(officer, again)
    assert again.status == "done"
    assert Certificate.objects.count() == certificates


def test_product_row_errors(world, officer):
    rows = [
        PRODUCT_HEADERS,
        [1, tax_code(999), "", "Sản phẩm lạ", 1, "3 sao", "", "", "01/01/2024"],
        [2, "", "HTX Persona A", "Na", 27, "3", "", "", "01/01/2024"],
        [3, "", "HTX Persona A", "Cam", 1, "6 sao", "", "", "01/01/2024"],
        [4, "", "HTX Persona A", "Bưởi", 1, "3", "120", "", "31/02/2024"],
        [5, "", "HTX Persona A", "Ổi", 1, "3", "", "", ""],
        [6, "", "HTX Persona C", "Táo", 1, "", "", "", ""],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx", kind="products")
    found = sorted((e["row"], e["code"]) for e in job.errors)
    assert found == [
        (2, "producer_missing"),
        (3, "product_set_unknown"),
        (4, "star"),
        (5, "date"),
        (5, "score"),
        (6, "issued_missing"),
        (7, "producer_missing"),  # Persona C is in Hà Nội, out of this province
    ]
    page = page_text(officer.get(reverse("imports:preview", args=[job.pk])))
    assert "Dòng 4, cột 'Hạng sao': “6 sao” không phải là hạng sao" in page


MIXED_HEADERS = ["Tên chủ thể", "Loại hình chủ thể", "Mã số thuế", "Xã/phường", "Tên sản phẩm", "Bộ sản phẩm"]
MIXED_HEADERS += ["Hạng sao", "Ngày cấp"]


def test_products_sheet_may_create_its_producers(world, officer):
    rows = [
        MIXED_HEADERS,
        ["HTX Mới", "HTX", tax_code(70), LUC_NGAN, "Vải sấy", 7, 3, "01/01/2024"],
        ["HTX Mới", "HTX", tax_code(70), LUC_NGAN, "Vải sấy", 7, 4, "01/06/2025"],
        ["HTX Mới", "HTX", tax_code(70), LUC_NGAN, "Vải tươi", 1, "", ""],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx", kind="products")
    assert job.summary["counts"]["producers"] == {"create": 1, "update": 0, "unchanged": 0}
    assert job.summary["counts"]["products"]["create"] == 2
    assert job.summary["counts"]["certificates"]["create"] == 2
    confirm(officer, job)
    product = Product.objects.get(name="Vải sấy")
    assert product.producer.tax_code == tax_code(70)
    assert sorted(product.certificates.values_list("star", flat=True)) == [3, 4]


def test_all_or_nothing_when_the_import_fails_midway(world, officer, monkeypatch):
    rows = [
        MIXED_HEADERS,
        ["HTX Mới", "HTX", tax_code(70), LUC_NGAN, "Vải sấy", 7, 3, "01/01/2024"],
        ["HTX Khác", "HTX", tax_code(71), LUC_NGAN, "Mật ong", 4, 4, "01/01/2024"],
    ]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx", kind="products")
    assert job.status == "preview"
    counts = (Producer.objects.count(), Product.objects.count(), Certificate.objects.count())

    real = importer._prepare_product

    def fail_on_second(product):
        if product.name == "Mật ong":
            raise RuntimeError("disk full")
        real(product)

    # Producers are written by then; the failure comes with the products.
    monkeypatch.setattr(importer, "_prepare_product", fail_on_second)
    confirm(officer, job)
    assert job.status == "failed"
    assert "disk full" in job.failure_reason
    assert "không có gì được ghi" in job.failure_reason
    after = (Producer.objects.count(), Product.objects.count(), Certificate.objects.count())
    assert after == counts
    # Only the job's own status change is in the log: no trace of rolled-back records.
    assert (
        not AuditEvent.objects.filter(id__gt=0, model__startswith="registry.")
        .filter(object_repr__in=["HTX Mới", "HTX Khác"])
        .exists()
    )
    page = page_text(officer.get(reverse("imports:detail", args=[job.pk])))
    assert "disk full" in page


def test_registry_change_after_the_check_fails_the_import(world, officer):
    rows = [["Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường"], ["HTX Trùng", "HTX", tax_code(80), LUC_NGAN]]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    assert job.status == "preview"
    # Meanwhile the same tax code is registered in another province.
    Producer.objects.create(name="HTX Hà Nội", kind="cooperative", tax_code=tax_code(80), commune=world.hanoi_commune)
    confirm(officer, job)
    assert job.status == "failed"
    assert [e["code"] for e in job.errors] == ["tax_code_elsewhere"]
    assert not Producer.objects.filter(name="HTX Trùng").exists()


def test_confirm_twice_imports_once(officer):
    job = upload_and_check(officer, xlsx_bytes(producer_rows()), "a.xlsx")
    before = Producer.objects.count()
    confirm(officer, job)
    confirm(officer, job)
    assert Producer.objects.count() == before + 6
    assert job.status == "done"


def test_progress_json(officer):
    job = upload_and_check(officer, xlsx_bytes(producer_rows()), "a.xlsx")
    data = officer.get(reverse("imports:progress", args=[job.pk])).json()
    assert data["status"] == "preview"
    assert (data["processed"], data["total"], data["percent"], data["done"]) == (6, 6, 100, True)

    # While a job runs, the figures come from the cache, not the database.
    from ocop.imports import progress

    ImportJob.objects.filter(pk=job.pk).update(status="importing")
    job.refresh_from_db()
    progress.report(job, "importing", "writing", 3, 6)
    data = officer.get(reverse("imports:progress", args=[job.pk])).json()
    assert (data["status"], data["processed"], data["total"], data["percent"], data["done"]) == (
        "importing",
        3,
        6,
        75,
        False,
    )
    page = officer.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "<progress" in page and 'value="75"' in page
    assert 'http-equiv="refresh"' in page
    assert "ocop/progress.js" in page


def test_mapping_requires_the_required_fields(officer):
    response = upload(officer, xlsx_bytes(producer_rows()), "a.xlsx")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:mapping", args=[job.pk])
    page = officer.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "Chủ thể số 1" in page  # sample rows shown
    mapping = dict(job.mapping)
    mapping.pop("commune")
    response = check(officer, job, mapping)
    assert response.status_code == 400
    assert job.status == "uploaded"
    assert not Producer.objects.filter(name="Chủ thể số 1").exists()


def test_csv_semicolon_and_cp1258(officer):
    content = csv_bytes(producer_rows(), encoding="cp1258", delimiter=";")
    job = upload_and_check(officer, content, "a.csv")
    assert job.status == "preview", job.errors
    confirm(officer, job)
    assert Producer.objects.filter(name="Chủ thể số 6", commune__name=LUC_NGAN).exists()


def test_admin_import_into_chosen_province(world, client_for):
    client = client_for("admin")
    rows = [["Tên chủ thể", "Loại hình", "Xã/phường"], ["HTX Hoàn Kiếm", "HTX", "Phường Hoàn Kiếm"]]
    job = upload_and_check(client, xlsx_bytes(rows), "a.xlsx", province=world.ha_noi)
    assert job.status == "preview", job.errors
    confirm(client, job)
    assert Producer.objects.get(name="HTX Hoàn Kiếm").province == world.ha_noi
    assert AdminUnit.objects.get(pk=world.ha_noi.pk).name == "Thành phố Hà Nội"


def test_tax_code_added_to_a_producer_known_by_name(world, officer):
    Producer.objects.filter(pk=world.producer_a.pk).update(tax_code="")
    rows = [["Tên chủ thể", "Loại hình", "Mã số thuế", "Xã/phường"], ["HTX Persona A", "HTX", tax_code(90), LUC_NGAN]]
    job = upload_and_check(officer, xlsx_bytes(rows), "a.xlsx")
    assert job.summary["counts"]["producers"] == {"create": 0, "update": 1, "unchanged": 0}
    confirm(officer, job)
    world.producer_a.refresh_from_db()
    assert world.producer_a.tax_code == tax_code(90)


def test_imported_certificates_reach_the_catalogue_search_at_once(world, officer):
    """bulk_create sends no signals: the import writes the search rows of what it created itself, so that the
    catalogue's search keeps answering from the search rows (and finds the new public products)."""
    from ocop.catalogue import filters
    from ocop.catalogue.querysets import public_products
    from ocop.search.models import SearchEntry

    confirm(officer, upload_and_check(officer, xlsx_bytes(producer_rows()), "chu-the.xlsx"))
    codes = [tax_code(10), tax_code(11)]
    job = upload_and_check(officer, xlsx_bytes(product_rows(codes)), "san-pham.xlsx", kind="products")
    confirm(officer, job)
    assert job.status == "done", job.failure_reason
    found = filters.filter_and_order(public_products(), {"q": "vai thieu tuoi"})
    assert found.model is SearchEntry  # the search rows are exact: not the products read one by one
    assert Product.objects.get(name="Vải thiều tươi").pk in list(found.values_list("pk", flat=True))
