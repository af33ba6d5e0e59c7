"""Automatic audit of official records: create, update, delete and links, with actor and values."""

import datetime as dt
import decimal

import pytest
from django.core.files.base import ContentFile

from ocop.accounts.models import User
from ocop.audit.log import acting_as
from ocop.audit.models import Action, AuditEvent
from ocop.audit.signals import CHANGED, HIDDEN, SET, register
from ocop.certificates.models import Certificate
from ocop.registry.models import Producer, ProducerKind, Product, ProductPhoto, ProductSet
from ocop.testing import make_evidence


def events_for(obj, action=None):
    qs = AuditEvent.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("id")
    return list(qs.filter(action=action) if action else qs)


def test_producer_create_update_delete_are_recorded_with_actor_and_values(world):
    admin = world.user("admin")
    with acting_as(admin, "203.0.113.7"):
        producer = Producer.objects.create(
            name="HTX Chè Tân Cương",
            kind=ProducerKind.COOPERATIVE,
            commune=world.luc_ngan,
            founded_on=dt.date(2019, 5, 1),
            rep_id_number="024090009999",
        )
    (created,) = events_for(producer)
    assert created.action == Action.CREATE
    assert (created.actor_id, created.actor_name, created.ip) == (admin.pk, admin.username, "203.0.113.7")
    assert created.before is None
    assert created.after["name"] == "HTX Chè Tân Cương"
    assert created.after["founded_on"] == "2019-05-01"
    assert created.after["commune"] == world.luc_ngan.pk  # relations by id
    assert created.after["province"] == world.bac_ninh.pk
    assert "folded_name" not in created.after and "updated_at" not in created.after and "id" not in created.after
    assert created.at.utcoffset() == dt.timedelta(0)

    province_user = world.user("province")
    with acting_as(province_user):
        producer.name = "HTX Chè Tân Cương Thái Nguyên"
        producer.status = "verified"
        producer.save()
    (updated,) = events_for(producer, Action.UPDATE)
    assert updated.actor_name == province_user.username
    assert updated.before == {"name": "HTX Chè Tân Cương", "status": "pending"}
    assert updated.after == {"name": "HTX Chè Tân Cương Thái Nguyên", "status": "verified"}

    pk = producer.pk
    with acting_as(admin):
        producer.delete()
    (deleted,) = AuditEvent.objects.filter(model="registry.Producer", object_id=str(pk), action=Action.DELETE)
    assert deleted.actor_id == admin.pk
    assert deleted.after is None
    assert deleted.before["name"] == "HTX Chè Tân Cương Thái Nguyên"
    assert deleted.before["rep_id_number"] == "024090009999"


def test_product_changes_through_a_request_carry_the_user_and_ip(world, client_for):
    """The middleware attributes saves made while serving a request."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from ocop.audit.middleware import AuditContextMiddleware

    user = world.user("producer_a")
    product = world.product_a

    def view(request):
        product.name = "Vải thiều Lục Ngạn loại 1"
        product.save()
        return HttpResponse("ok")

    request = RequestFactory().post("/x", REMOTE_ADDR="198.51.100.4")
    request.user = user
    AuditContextMiddleware(view)(request)
    (event,) = events_for(product, Action.UPDATE)
    assert (event.actor_id, event.ip) == (user.pk, "198.51.100.4")
    assert event.before == {"name": "Vải thiều A"} and event.after == {"name": "Vải thiều Lục Ngạn loại 1"}


def test_product_create_and_delete(world):
    fruit = ProductSet.objects.get(number=1)
    with acting_as(world.user("producer_b")):
        product = Product.objects.create(producer=world.producer_b, name="Mật ong hoa vải", product_set=fruit)
    (created,) = events_for(product)
    assert created.actor_id == world.user("producer_b").pk
    assert created.after["producer"] == world.producer_b.pk
    assert created.after["status"] == "draft"
    assert created.after["code"] is None
    pk = product.pk
    product.delete()
    deleted = AuditEvent.objects.get(model="registry.Product", object_id=str(pk), action=Action.DELETE)
    assert deleted.actor_id is None and deleted.actor_name == ""  # no user: the system did it
    assert deleted.before["name"] == "Mật ong hoa vải"


def test_a_save_that_changes_nothing_writes_nothing(world):
    product = Product.objects.get(pk=world.product_a.pk)
    before = AuditEvent.objects.count()
    product.save()  # updated_at moves, nothing anybody changed
    product.name = "Vải thiều A"  # same value
    product.save()
    world.producer_a.save(update_fields=["name"])
    assert AuditEvent.objects.count() == before


def test_update_fields_limits_what_is_compared(world):
    product = world.product_a
    product.description = "not saved"
    product.name = "Vải thiều A mới"
    product.save(update_fields=["name"])
    (event,) = events_for(product, Action.UPDATE)
    assert event.after == {"name": "Vải thiều A mới"}


def test_values_are_json_decimals_as_strings_dates_iso(world):
    cert = Certificate.objects.create(
        product=world.product_a,
        star=4,
        score=decimal.Decimal("78.5"),
        issued_on=dt.date(2025, 1, 10),
        expires_on=dt.date(2028, 1, 10),
    )
    (created,) = events_for(cert)
    assert created.after["score"] == "78.50"
    assert created.after["issued_on"] == "2025-01-10"
    assert created.after["product"] == world.product_a.pk
    cert.score = "78.50"  # same value, written differently
    cert.save()
    assert len(events_for(cert)) == 1
    cert.revoked_on = dt.date(2026, 3, 1)
    cert.save()
    update = events_for(cert, Action.UPDATE)[0]
    assert update.before == {"revoked_on": None} and update.after == {"revoked_on": "2026-03-01"}


def test_file_fields_are_recorded_by_stored_name(world):
    photo = ProductPhoto(
        product=world.product_a, content_type="image/jpeg", width=10, height=10, size=3, sha256="ab" * 32
    )
    photo.image.save("p.jpg", ContentFile(b"abc"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"abc"), save=False)
    photo.save()
    (created,) = events_for(photo)
    assert created.after["image"] == photo.image.name
    assert created.after["image"].startswith(f"photos/{world.product_a.pk}/")
    assert created.after["product"] == world.product_a.pk


def test_deleting_a_product_records_its_cascaded_photos(world):
    product = Product.objects.create(
        producer=world.producer_a, name="Sản phẩm tạm", product_set=ProductSet.objects.get(number=1)
    )
    photo = ProductPhoto.objects.create(
        product=product, image="x.jpg", thumbnail="t.jpg", content_type="image/jpeg", width=1, height=1, size=1
    )
    photo_pk, product_pk = photo.pk, product.pk
    product.delete()
    assert AuditEvent.objects.filter(model="registry.ProductPhoto", object_id=str(photo_pk), action="delete").exists()
    assert AuditEvent.objects.filter(model="registry.Product", object_id=str(product_pk), action="delete").exists()


def test_queryset_delete_is_audited(world):
    Certificate.objects.create(
        product=world.product_b, star=3, issued_on=dt.date(2024, 1, 1), expires_on=dt.date(2027, 1, 1)
    )
    Certificate.objects.filter(product=world.product_b).delete()
    assert AuditEvent.objects.filter(model="certificates.Certificate", action=Action.DELETE).count() == 1


def test_password_change_is_recorded_without_the_hash(world):
    user = world.user("producer_a")
    old_hash = user.password
    user.set_password("a-new-password-2026")
    user.save()
    (event,) = events_for(user, Action.UPDATE)
    assert event.before == {"password": HIDDEN}
    assert event.after == {"password": CHANGED}
    raw = str(event.payload())
    assert old_hash not in raw and user.password not in raw
    assert not any(part in raw for part in user.password.split("$") if len(part) > 8)


def test_user_create_records_that_a_password_was_set_but_not_its_hash(db):
    user = User.objects.create_user(username="new_officer", password="x-very-secret-9", role="admin")
    (event,) = events_for(user)
    assert event.after["password"] == SET
    assert event.after["role"] == "admin"
    assert user.password not in str(event.payload())


def test_last_login_alone_writes_nothing(world):
    from django.contrib.auth.models import update_last_login

    before = AuditEvent.objects.count()
    update_last_login(None, world.user("admin"))
    assert AuditEvent.objects.count() == before


def test_evidence_links_to_products_are_recorded(world):
    evidence = make_evidence(world.producer_a)
    (created,) = events_for(evidence)
    assert created.after["file"] == evidence.file.name
    with acting_as(world.user("producer_a")):
        evidence.products.add(world.product_a)
        evidence.products.add(world.product_a)  # already linked: nothing new
        evidence.products.remove(world.product_a)
    added, removed = events_for(evidence, Action.UPDATE)
    assert added.before == {"products": []} and added.after == {"products": [world.product_a.pk]}
    assert added.actor_id == world.user("producer_a").pk
    assert removed.before == {"products": [world.product_a.pk]} and removed.after == {"products": []}


def test_evidence_links_from_the_product_side_and_clear(world):
    ev1 = make_evidence(world.producer_a, "Hợp đồng liên kết")
    ev2 = make_evidence(world.producer_a, "Phiếu kiểm nghiệm")
    world.product_a.evidence.add(ev1, ev2)
    (linked,) = events_for(world.product_a, Action.UPDATE)
    assert linked.after == {"evidence": sorted([ev1.pk, ev2.pk])}
    ev1.products.clear()
    cleared = events_for(ev1, Action.UPDATE)[-1]
    assert cleared.before == {"products": [world.product_a.pk]} and cleared.after == {"products": []}


def test_deleting_evidence_records_its_links(world):
    evidence = make_evidence(world.producer_a)
    evidence.products.add(world.product_a)
    pk = evidence.pk
    evidence.delete()
    deleted = AuditEvent.objects.get(model="registry.Evidence", object_id=str(pk), action=Action.DELETE)
    assert deleted.before["products"] == [world.product_a.pk]


def test_import_job_progress_counter_is_not_an_event(world):
    from ocop.imports.models import ImportJob

    job = ImportJob.objects.create(
        kind="products",
        province=world.bac_ninh,
        file="imports/x.csv",
        original_name="x.csv",
        file_format="csv",
        sha256="0" * 64,
        created_by=world.user("province"),
    )
    assert len(events_for(job)) == 1
    job.processed_rows = 10
    job.save()
    job.save(update_fields=["processed_rows"])
    assert len(events_for(job)) == 1
    job.status = "done"
    job.summary = {"created": 3}
    job.errors = [{"row": 2, "column": "Mã số thuế", "message": "sai"}]
    job.save()
    update = events_for(job, Action.UPDATE)[0]
    # The status change is the record; row errors and the summary are working data.
    assert update.after == {"status": "done"}
    assert "errors" not in update.before


def test_register_refuses_unknown_fields():
    with pytest.raises(ValueError, match="no field"):
        register("registry.Product", exclude=["nmae"])


def test_proposal_is_audited(world):
    from ocop.certificates.models import Proposal

    proposal = Proposal.objects.create(product=world.product_a, star=5, proposed_on=dt.date(2026, 6, 1))
    assert events_for(proposal)[0].after["star"] == 5
