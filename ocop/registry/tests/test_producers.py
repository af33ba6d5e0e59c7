"""Producer pages: registering, editing, verifying; personal data stays out of lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocop.geo.models import AdminUnit
from ocop.registry import actions
from ocop.registry.models import Producer, ProducerStatus

CREATE = reverse("registry:producer_create")


def form_data(commune, **overrides):
    data = {
        "name": "HTX Vải thiều Hồng Giang",
        "kind": "cooperative",
        "tax_code": "0101245486",
        "commune": commune.pk,
        "street": "Thôn Hồng Giang",
        "phone": "0912 345 678",
        "email": "htx@example.vn",
        "website": "htxhonggiang.vn",
        "members_count": "12",
        "workers_count": "30",
        "rep_name": "Trần Thị Lan",
        "rep_position": "Giám đốc",
        "rep_gender": "female",
        "rep_ethnicity": "Kinh",
        "rep_id_number": "024190001111",
    }
    data.update(overrides)
    return data


def test_province_officer_registers_a_producer_in_its_province(world, client_for):
    client = client_for("province")
    page = client.get(CREATE)
    communes = page.context["form"].fields["commune"].queryset
    assert world.luc_ngan in communes and world.hanoi_commune not in communes
    assert not communes.exclude(province=world.bac_ninh).exists()
    assert not communes.exclude(map="current").exists()

    response = client.post(CREATE, form_data(world.luc_ngan, tax_code="0100109106-009"))
    assert response.status_code == 302
    producer = Producer.objects.get(tax_code="0100109106-009")
    assert producer.status == ProducerStatus.PENDING
    assert (producer.commune, producer.current_commune, producer.province) == (
        world.luc_ngan,
        world.luc_ngan,
        world.bac_ninh,
    )
    assert producer.website == "https://htxhonggiang.vn"
    assert producer.folded_name == "htx vai thieu hong giang"
    assert response["Location"] == producer.get_absolute_url()


def test_commune_of_another_province_is_refused(world, client_for):
    response = client_for("province").post(CREATE, form_data(world.hanoi_commune, tax_code="0100109106-009"))
    assert response.status_code == 200
    assert response.context["form"].errors["commune"]
    assert not Producer.objects.filter(tax_code="0100109106-009").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tax_code", "0100109107"),  # wrong check digit
        ("tax_code", "0101245486"),  # already registered (producer B)
        ("rep_id_number", "12345"),
        ("phone", "call me"),
        ("founded_on", "2999-01-01"),
        ("name", ""),
    ],
)
def test_bad_input_is_refused_and_kept(world, client_for, field, value):
    data = form_data(world.luc_ngan, **{"tax_code": "0100109106-009", field: value})
    response = client_for("province").post(CREATE, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Producer.objects.count() == 4
    assert "Trần Thị Lan" in response.content.decode()  # nothing typed is lost


def test_personal_data_on_detail_never_in_list(world, client_for):
    client = client_for("province")
    detail = client.get(reverse("registry:producer_detail", args=[world.producer_a.pk])).content.decode()
    assert "024090001234" in detail and "Nguyễn Văn Đại Diện" in detail
    listing = client.get(reverse("registry:producer_list")).content.decode()
    assert world.producer_a.name in listing
    for personal in ("024090001234", "Nguyễn Văn Đại Diện", "0912345678"):
        assert personal not in listing


def test_producer_edits_own_profile_but_not_status(world, client_for):
    producer = world.producer_pending
    url = reverse("registry:producer_edit", args=[producer.pk])
    data = form_data(world.luc_ngan, name="HTX Pending đổi tên", tax_code=producer.tax_code, status="verified")
    data["verified_by"] = world.user("admin").pk
    response = client_for("producer_pending").post(url, data)
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.name == "HTX Pending đổi tên"
    assert producer.status == ProducerStatus.PENDING and producer.verified_by is None


def test_verified_producer_cannot_change_its_identity(world, client_for):
    producer = world.producer_a
    url = reverse("registry:producer_edit", args=[producer.pk])
    page = client_for("producer_a").get(url)
    assert page.context["form"].fields["tax_code"].disabled
    data = form_data(world.other_commune, name="Tên khác", tax_code="0101245486", street="Đường mới")
    assert client_for("producer_a").post(url, data).status_code == 302
    producer.refresh_from_db()
    assert (producer.name, producer.tax_code, producer.commune) == ("HTX Persona A", "0100109106", world.luc_ngan)
    assert producer.street == "Đường mới"
    # The provincial office can change it.
    data = form_data(world.luc_ngan, name="HTX Persona A (mới)", tax_code="0100109106")
    assert client_for("province").post(url, data).status_code == 302
    producer.refresh_from_db()
    assert producer.name == "HTX Persona A (mới)"


def test_moving_a_producer_moves_its_products_scope(world, client_for):
    url = reverse("registry:producer_edit", args=[world.producer_a.pk])
    data = form_data(world.other_commune, name="HTX Persona A", tax_code="0100109106")
    assert client_for("province").post(url, data).status_code == 302
    world.product_a.refresh_from_db()
    assert world.product_a.current_commune == world.other_commune
    # The Lục Ngạn commune officer no longer reads it.
    response = client_for("commune").get(reverse("registry:product_detail", args=[world.product_a.pk]))
    assert response.status_code == 404


def test_legacy_record_keeps_its_commune_and_gets_a_present_day_one(world, client_for):
    # Before July 2025: Xã Biên Sơn, Huyện Lục Ngạn, Bắc Giang.
    bien_son = AdminUnit.objects.get(map="legacy", level="commune", name="Xã Biên Sơn", parent__name="Huyện Lục Ngạn")
    legacy = actions.create_producer(
        {"name": "HTX Biên Sơn (2022)", "kind": "cooperative", "commune": bien_son}, status=ProducerStatus.VERIFIED
    )
    assert legacy.province == world.bac_ninh and legacy.current_commune is None
    url = reverse("registry:producer_edit", args=[legacy.pk])
    page = client_for("province").get(url)
    assert page.context["form"].legacy_commune == bien_son
    assert "Huyện Lục Ngạn" in page.content.decode()  # shown read-only with its former district
    data = form_data(world.luc_ngan, name=legacy.name, tax_code="")
    assert client_for("province").post(url, data).status_code == 302
    legacy.refresh_from_db()
    assert (legacy.commune, legacy.current_commune, legacy.province) == (bien_son, world.luc_ngan, world.bac_ninh)
    assert client_for("commune").get(legacy.get_absolute_url()).status_code == 200


# --- Verification ------------------------------------------------------------------------
def verify(client, producer, decision="verify", reason=""):
    return client.post(
        reverse("registry:producer_verify", args=[producer.pk]), {"decision": decision, "reason": reason}
    )


def test_commune_officer_verifies_a_producer_of_its_commune(world, client_for):
    officer = world.user("commune")
    assert verify(client_for("commune"), world.producer_pending).status_code == 302
    world.producer_pending.refresh_from_db()
    assert world.producer_pending.status == ProducerStatus.VERIFIED
    assert world.producer_pending.verified_by == officer
    assert world.producer_pending.verified_at is not None


def test_commune_officer_cannot_verify_elsewhere(world, client_for):
    other = actions.create_producer({"name": "HTX khác", "kind": "farm", "commune": world.other_commune})
    assert verify(client_for("commune"), other).status_code == 404  # not even visible
    assert verify(client_for("central"), other).status_code == 403  # visible, not theirs to decide
    other.refresh_from_db()
    assert other.status == ProducerStatus.PENDING


def test_rejection_needs_a_reason_that_the_producer_sees(world, client_for):
    client = client_for("province")
    response = verify(client, world.producer_pending, "reject")
    assert response.status_code == 200
    assert response.context["verify_form"].errors["reason"]
    world.producer_pending.refresh_from_db()
    assert world.producer_pending.status == ProducerStatus.PENDING

    assert verify(client, world.producer_pending, "reject", "Mã số thuế không khớp").status_code == 302
    world.producer_pending.refresh_from_db()
    assert world.producer_pending.status == ProducerStatus.REJECTED
    page = client_for("producer_pending").get(world.producer_pending.get_absolute_url()).content.decode()
    assert "Mã số thuế không khớp" in page

    # Correcting the profile sends it back for verification.
    url = reverse("registry:producer_edit", args=[world.producer_pending.pk])
    data = form_data(world.luc_ngan, name="HTX Persona Pending", tax_code="0100109106-002")
    assert client_for("producer_pending").post(url, data).status_code == 302
    world.producer_pending.refresh_from_db()
    assert world.producer_pending.status == ProducerStatus.PENDING


def test_verify_panel_only_for_verifiers(world, client_for):
    url = world.producer_pending.get_absolute_url()
    action = reverse("registry:producer_verify", args=[world.producer_pending.pk])
    assert action in client_for("commune").get(url).content.decode()
    assert action not in client_for("central").get(url).content.decode()
    assert action not in client_for("producer_pending").get(url).content.decode()


def test_update_producer_refuses_status_fields(world):
    with pytest.raises(ValueError):
        actions.update_producer(world.producer_pending, {"status": ProducerStatus.VERIFIED})


def test_verification_is_in_the_audit_log(world, client_for):
    from ocop.audit.models import AuditEvent

    officer = world.user("commune")
    verify(client_for("commune"), world.producer_pending)
    events = AuditEvent.objects.filter(model="registry.Producer", object_id=str(world.producer_pending.pk))
    decided = [e for e in events if e.actor_id == officer.pk and "verified" in str(e.after)]
    assert decided, "verifying a producer must leave an audit event attributed to the officer"
