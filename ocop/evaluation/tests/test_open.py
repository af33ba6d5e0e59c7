"""Opening a dossier: who, for which product, of which kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.evaluation import actions
from ocop.evaluation.models import Dossier, DossierKind, DossierStatus
from ocop.evaluation.tests.util import certificate, open_draft
from ocop.registry.models import ProductSet, ProductStatus

URL = reverse("evaluation:dossier_create")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("producer_a", 200),
        ("producer_b", 200),
        ("producer_pending", 403),
        ("commune", 403),
        ("province", 403),
        ("council", 403),
        ("admin", 403),
    ],
)
def test_only_verified_producers_open_dossiers(client_for, persona, status):
    assert client_for(persona).get(URL).status_code == status


def test_producer_opens_a_first_evaluation(world, client_for):
    response = client_for("producer_a").post(URL, {"product": world.product_a.pk, "kind": "first"})
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:dossier_edit", args=[dossier.pk])
    assert dossier.producer == world.producer_a
    assert (dossier.commune, dossier.province) == (world.luc_ngan, world.bac_ninh)
    assert (dossier.rulebook, dossier.sheet, dossier.samples_count) == ("qd-26-2026", 1, 5)
    assert dossier.status == DossierStatus.DRAFT
    # Mẫu 01 starts from the registry's data.
    assert dossier.form01["producer_name"] == "HTX Persona A"
    assert dossier.form01["product_name"] == "Vải thiều A"
    assert dossier.status_changes.get().to_status == DossierStatus.DRAFT


def test_tourism_sends_no_samples(world):
    product = world.product_a
    product.product_set = ProductSet.objects.get(number=26)
    product.save()
    dossier = open_draft(world)
    assert (dossier.sheet, dossier.samples_count) == (26, 0)


def test_another_producers_product_is_not_offered(world, client_for):
    response = client_for("producer_a").post(URL, {"product": world.product_b.pk, "kind": "first"})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()
    with pytest.raises(ValidationError):
        actions.open_dossier(world.product_b, "first", actor=world.user("producer_a"))


def test_inactive_product_is_refused(world):
    world.product_a.status = ProductStatus.DRAFT
    world.product_a.save()
    with pytest.raises(ValidationError) as error:
        open_draft(world)
    assert error.value.code == "inactive"


def test_unverified_producer_is_refused(world):
    from ocop.registry.models import Product

    product = Product.objects.create(
        producer=world.producer_pending, name="Mật ong", product_set=world.product_a.product_set, status="active"
    )
    with pytest.raises(ValidationError) as error:
        actions.open_dossier(product, "first", actor=world.user("producer_pending"))
    assert error.value.code == "unverified"


def test_one_open_dossier_per_product(world, client_for):
    open_draft(world)
    response = client_for("producer_a").post(URL, {"product": world.product_a.pk, "kind": "first"})
    assert response.status_code == 200
    assert "đã có một hồ sơ đang mở" in response.content.decode()
    assert Dossier.objects.count() == 1


def test_upgrade_and_reevaluation_need_a_valid_certificate(world):
    for kind in (DossierKind.UPGRADE, DossierKind.REEVALUATION):
        with pytest.raises(ValidationError) as error:
            open_draft(world, kind)
        assert "giấy chứng nhận OCOP còn hiệu lực" in error.value.messages[0]


def test_first_evaluation_refused_when_certified(world):
    certificate(world.product_a, star=3)
    with pytest.raises(ValidationError):
        open_draft(world, DossierKind.FIRST)


def test_upgrade_with_a_certificate(world):
    cert = certificate(world.product_a, star=3)
    dossier = open_draft(world, DossierKind.UPGRADE)
    assert dossier.certificate == cert


def test_a_five_star_product_cannot_be_upgraded(world):
    certificate(world.product_a, star=5)
    with pytest.raises(ValidationError):
        open_draft(world, DossierKind.UPGRADE)


@pytest.mark.parametrize(("days_left", "allowed"), [(181, False), (180, True), (150, True), (120, True), (119, False)])
def test_reevaluation_only_inside_the_window(world, days_left, allowed):
    certificate(world.product_a, star=4, expires_in_days=days_left)
    if allowed:
        assert open_draft(world, DossierKind.REEVALUATION).kind == DossierKind.REEVALUATION
    else:
        with pytest.raises(ValidationError) as error:
            open_draft(world, DossierKind.REEVALUATION)
        assert "180" in error.value.messages[0]


def test_reevaluation_window_follows_the_clock(world, clock):
    cert = certificate(world.product_a, star=3, expires_in_days=300)
    with pytest.raises(ValidationError):
        open_draft(world, DossierKind.REEVALUATION)
    clock.to(cert.expires_on - dt.timedelta(days=170))
    assert open_draft(world, DossierKind.REEVALUATION).certificate == cert
