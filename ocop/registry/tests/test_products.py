"""Product pages: creating, editing, product codes, certificates on the product page."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocop.certificates.models import Certificate
from ocop.registry import actions
from ocop.registry.models import Product, ProductCodeSerial, ProductSet
from ocop.registry.validators import gtin_check_digit

CREATE = reverse("registry:product_create")


def product_data(**overrides):
    body = "893504950051"
    data = {
        "name": "Vải thiều sấy khô",
        "product_set": ProductSet.objects.get(number=7).pk,
        "gtin": body + str(gtin_check_digit(body)),
        "description": "Vải sấy",
        "story": "Câu chuyện sản phẩm",
        "specifications": "Túi 500 g",
        "status": "draft",
    }
    data.update(overrides)
    return data


def test_verified_producer_adds_a_product_to_itself(world, client_for):
    response = client_for("producer_a").post(CREATE, product_data(producer=world.producer_b.pk))
    assert response.status_code == 302
    product = Product.objects.get(name="Vải thiều sấy khô")
    assert product.producer == world.producer_a  # a producer cannot add to another one
    assert (product.province, product.current_commune) == (world.bac_ninh, world.luc_ngan)
    assert product.gtin == "8935049500513"
    assert response["Location"] == product.get_absolute_url()


def test_pending_producer_cannot_create_a_product(world, client_for):
    client = client_for("producer_pending")
    listing = client.get(reverse("registry:product_list"))
    assert listing.status_code == 200
    assert listing.context["closed_reason"]
    assert listing.context["closed_reason"] in listing.content.decode()
    assert CREATE not in listing.content.decode()
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, product_data())
    assert response.status_code == 403
    assert listing.context["closed_reason"] in response.content.decode()
    assert not Product.objects.filter(name="Vải thiều sấy khô").exists()


def test_office_chooses_a_producer_in_its_scope(world, client_for):
    client = client_for("province")
    page = client.get(CREATE + f"?producer={world.producer_b.pk}")
    producers = page.context["form"].fields["producer"].queryset
    assert set(producers) == {world.producer_a, world.producer_b, world.producer_pending}
    assert page.context["form"].initial["producer"] == world.producer_b.pk
    assert client.post(CREATE, product_data(producer=world.producer_c.pk)).status_code == 200
    assert client.post(CREATE, product_data(producer=world.producer_b.pk)).status_code == 302
    assert Product.objects.get(name="Vải thiều sấy khô").producer == world.producer_b


@pytest.mark.parametrize("gtin", ["8935049500514", "12345", "893504950051x"])
def test_bad_gtin_is_refused(world, client_for, gtin):
    response = client_for("producer_a").post(CREATE, product_data(gtin=gtin))
    assert response.status_code == 200
    assert response.context["form"].errors["gtin"]
    assert 'value="Vải thiều sấy khô"' in response.content.decode()
    assert not Product.objects.filter(name="Vải thiều sấy khô").exists()


def test_product_set_select_is_grouped_by_category_and_group(world, client_for):
    page = client_for("producer_a").get(CREATE).content.decode()
    assert page.count("<optgroup") == 17
    assert 'label="I. Thực phẩm › Thực phẩm tươi sống"' in page


def test_edit_product_keeps_producer_and_code(world, client_for):
    actions.assign_product_code(world.product_a, 2026)
    url = reverse("registry:product_edit", args=[world.product_a.pk])
    data = product_data(name="Vải thiều A loại 1", producer=world.producer_b.pk, code="99-99999-999-2026")
    assert client_for("producer_a").post(url, data).status_code == 302
    world.product_a.refresh_from_db()
    assert world.product_a.name == "Vải thiều A loại 1"
    assert world.product_a.producer == world.producer_a
    assert world.product_a.code.endswith("-001-2026")


# --- Product codes ---------------------------------------------------------------------------
def test_code_format_and_padding():
    assert actions.format_product_code("24", "7186", 3, 2026) == "24-07186-003-2026"
    assert actions.format_product_code("1", "70", 1234, 2026) == "01-00070-1234-2026"


def test_codes_follow_the_commune_serial(world):
    fruit = world.product_a.product_set
    second = Product.objects.create(producer=world.producer_a, name="Vải sấy", product_set=fruit)
    luc_ngan = world.luc_ngan.code.zfill(5)
    assert actions.assign_product_code(world.product_a, 2026) == f"24-{luc_ngan}-001-2026"
    assert actions.assign_product_code(second, 2026) == f"24-{luc_ngan}-002-2026"
    # Another commune has its own serial; another year starts again.
    assert actions.assign_product_code(world.product_b, 2026).endswith("-001-2026")
    third = Product.objects.create(producer=world.producer_a, name="Mật ong", product_set=fruit)
    assert actions.assign_product_code(third, 2027) == f"24-{luc_ngan}-001-2027"
    assert ProductCodeSerial.objects.get(commune=world.luc_ngan, year=2026).last_serial == 2
    world.product_a.refresh_from_db()
    assert world.product_a.code == f"24-{luc_ngan}-001-2026"


def test_code_is_assigned_once(world):
    actions.assign_product_code(world.product_a, 2026)
    with pytest.raises(actions.ProductCodeError) as caught:
        actions.assign_product_code(world.product_a, 2026)
    assert caught.value.code == "has_code"


def test_serial_skips_codes_already_taken_by_an_import(world):
    luc_ngan = world.luc_ngan.code.zfill(5)
    imported = Product.objects.create(
        producer=world.producer_a, name="Nhập", product_set=world.product_a.product_set, code=f"24-{luc_ngan}-001-2026"
    )
    assert imported.code
    assert actions.assign_product_code(world.product_a, 2026) == f"24-{luc_ngan}-002-2026"


def test_assignment_locks_the_serial_row(world):
    with CaptureQueriesContext(connection) as queries:
        actions.assign_product_code(world.product_a, 2026)
    serial_selects = [q["sql"] for q in queries if "registry_productcodeserial" in q["sql"] and "SELECT" in q["sql"]]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql for sql in serial_selects)
    else:
        # SQLite: transactions start IMMEDIATE (settings), which takes the write lock.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs row locks across connections")
def test_concurrent_assignments_never_share_a_serial(reference_data, world):
    fruit = world.product_a.product_set
    products = [Product.objects.create(producer=world.producer_a, name=f"P{i}", product_set=fruit) for i in range(6)]
    barrier = threading.Barrier(len(products))
    errors: list[BaseException] = []

    def assign(product: Product) -> None:
        try:
            barrier.wait()
            actions.assign_product_code(product, 2026)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(p,)) for p in products]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    codes = sorted(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("code", flat=True))
    assert [c.split("-")[2] for c in codes] == ["001", "002", "003", "004", "005", "006"]


def test_assign_code_from_the_product_page(world, client_for):
    url = reverse("registry:product_assign_code", args=[world.product_a.pk])
    page = client_for("province").get(world.product_a.get_absolute_url()).content.decode()
    assert url in page
    assert url not in client_for("producer_a").get(world.product_a.get_absolute_url()).content.decode()
    assert client_for("province").post(url, {"year": "2026"}).status_code == 302
    world.product_a.refresh_from_db()
    assert world.product_a.code.endswith("-001-2026")
    assert world.product_a.code in client_for("producer_a").get(world.product_a.get_absolute_url()).content.decode()
    again = client_for("province").post(url, {"year": "2026"})
    assert again.status_code == 200 and again.context["code_form"].errors
    bad_year = client_for("admin").post(
        reverse("registry:product_assign_code", args=[world.product_b.pk]), {"year": "3000"}
    )
    assert bad_year.status_code == 200 and bad_year.context["code_form"].errors["year"]


def test_product_of_a_legacy_producer_without_present_commune_gets_no_code(world):
    from ocop.geo.models import AdminUnit

    old = AdminUnit.objects.get(map="legacy", level="commune", name="Xã Biên Sơn", parent__name="Huyện Lục Ngạn")
    producer = actions.create_producer({"name": "HTX cũ", "kind": "farm", "commune": old}, status="verified")
    product = actions.create_product(producer, {"name": "Vải", "product_set": world.product_a.product_set})
    with pytest.raises(actions.ProductCodeError) as caught:
        actions.assign_product_code(product, 2026)
    assert caught.value.code == "no_commune"


# --- Certificates on the product page --------------------------------------------------------
def test_product_page_shows_certificates_with_stars_and_status(world, client_for):
    today = timezone.localdate()
    Certificate.objects.create(
        product=world.product_a,
        star=4,
        number="GCN-4",
        issued_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=1000),
    )
    Certificate.objects.create(
        product=world.product_a,
        star=3,
        number="GCN-3",
        issued_on=today - dt.timedelta(days=1200),
        expires_on=today - dt.timedelta(days=100),
    )
    response = client_for("commune").get(world.product_a.get_absolute_url())
    page = response.content.decode()
    assert "GCN-4" in page and "GCN-3" in page
    assert "★★★★<" in page and "★★★<" in page
    statuses = [status for _, status, _ in response.context["certificates"]]
    assert statuses == ["valid", "expired"]
    assert 'class="sr-only">4 sao' in page  # text alternative to the ★ characters
    listing = client_for("commune").get(reverse("registry:product_list"))
    star = {p.pk: p.current_star for p in listing.context["page"].object_list}
    assert star[world.product_a.pk] == 4
