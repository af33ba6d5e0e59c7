"""Issuing, generating, activating and voiding stamps."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import translation

from ocop.audit.models import AuditEvent
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.stamps import actions, progress
from ocop.stamps.models import BatchStatus, Stamp, StampBatch, StampState
from ocop.stamps.tests.util import certified_lot, make_batch
from ocop.traceability.tests.util import make_lot


@pytest.fixture(autouse=True)
def _english():
    # The messages are checked in their English original (the interface shows them in Vietnamese).
    with translation.override("en"):
        yield


def test_generation_writes_every_stamp_and_one_audit_event(world):
    batch = make_batch(world.product_a, count=1234, by=world.user("producer_a"))
    assert batch.status == BatchStatus.READY and batch.generated == 1234
    rows = list(Stamp.objects.filter(batch=batch).order_by("seq").values_list("seq", "serial", "state"))
    assert [r[0] for r in rows] == list(range(1, 1235))
    assert len({r[1] for r in rows}) == 1234
    assert {r[2] for r in rows} == {StampState.ISSUED}
    events = AuditEvent.objects.filter(model="stamps.Stamp")
    assert events.count() == 1
    event = events.get()
    digest = hashlib.sha256("".join(f"{r[1]}\n" for r in rows).encode()).hexdigest()
    assert event.after == {"batch": batch.pk, "count": 1234, "serials_sha256": digest}
    assert event.actor_id == world.user("producer_a").pk
    assert progress.read(batch) == {"status": "ready", "processed": 1234, "total": 1234, "percent": 100, "done": True}


def test_generation_spans_several_chunks(world, monkeypatch):
    monkeypatch.setattr(actions, "CHUNK", 7)
    batch = make_batch(world.product_a, count=30)
    assert batch.stamps.count() == 30
    assert sorted(batch.stamps.values_list("seq", flat=True)) == list(range(1, 31))


def test_no_certificate_in_force_is_refused(world):
    lot = make_lot(world.product_b)
    with pytest.raises(actions.StampError, match="certificate is in force"):
        actions.issue_batch(lot, count=10, signed=False, by=None)
    # An expired certificate is not enough either.
    make_certificate(world.product_b, issued_on=clock.today() - dt.timedelta(days=5 * 365))
    with pytest.raises(actions.StampError):
        actions.issue_batch(lot, count=10, signed=False, by=None)
    # Nor a revoked one.
    certificate = make_certificate(world.product_b)
    certificate.revoked_on = clock.today()
    certificate.save()
    with pytest.raises(actions.StampError):
        actions.issue_batch(lot, count=10, signed=False, by=None)
    assert not StampBatch.objects.exists()


def test_cap_is_the_lot_quantity_plus_the_spare(world, settings):
    settings.STAMP_SPARE_PERCENT = 5
    lot = certified_lot(world.product_a, quantity=100)
    room = actions.allowance(lot)
    assert (room.cap, room.remaining, room.spare) == (105, 105, 5)
    with pytest.raises(actions.StampError, match="at most 105"):
        actions.issue_batch(lot, count=106, signed=False, by=None)
    actions.issue_batch(lot, count=100, signed=False, by=None)
    assert actions.allowance(lot).remaining == 5
    with pytest.raises(actions.StampError, match="at most 5 more"):
        actions.issue_batch(lot, count=6, signed=False, by=None)
    batch = actions.issue_batch(lot, count=5, signed=False, by=None)
    assert batch.spare_allowed == 5
    assert actions.allowance(lot).remaining == 0
    assert StampBatch.objects.filter(lot=lot).count() == 2


def test_failed_batches_do_not_count_and_counts_must_be_positive(world):
    lot = certified_lot(world.product_a, quantity=10)
    StampBatch.objects.create(lot=lot, count=10, status=BatchStatus.FAILED)
    assert actions.allowance(lot).remaining == 10
    with pytest.raises(actions.StampError):
        actions.issue_batch(lot, count=0, signed=False, by=None)


def test_lots_not_counted_in_packages_are_refused(world):
    lot = certified_lot(world.product_a, quantity=500, unit="KGM")
    with pytest.raises(actions.StampError, match="pieces"):
        actions.issue_batch(lot, count=10, signed=False, by=None)


def _states(batch):
    return list(batch.stamps.order_by("seq").values_list("state", flat=True))


def test_activation_and_voiding_by_range(world):
    batch = make_batch(world.product_a, count=10)
    assert actions.activate(batch, first=3, last=5) == 3
    assert _states(batch) == [1, 1, 2, 2, 2, 1, 1, 1, 1, 1]
    assert actions.void(batch, first=5, last=6, reason="Misprint") == 2
    assert _states(batch) == [1, 1, 2, 2, 3, 3, 1, 1, 1, 1]
    # The whole batch: voided stamps stay voided.
    assert actions.activate(batch) == 6
    assert _states(batch) == [2, 2, 2, 2, 3, 3, 2, 2, 2, 2]
    voided = batch.stamps.get(seq=5)
    assert voided.reason == "Misprint" and voided.voided_at is not None and voided.activated_at is not None
    assert batch.stamps.get(seq=6).activated_at is None
    assert actions.void(batch, reason="Lost shipment") == 8
    assert set(_states(batch)) == {StampState.VOIDED}
    # One audit event per operation, whatever the number of stamps.
    events = AuditEvent.objects.filter(model="stamps.StampBatch", object_id=str(batch.pk), note__startswith="stamps")
    notes = list(events.order_by("id").values_list("note", flat=True))
    assert notes == [
        f"stamps 3-5 of batch #{batch.pk} activated (3 changed)",
        f"stamps 5-6 of batch #{batch.pk} voided (2 changed): Misprint",
        f"stamps 1-10 of batch #{batch.pk} activated (6 changed)",
        f"stamps 1-10 of batch #{batch.pk} voided (8 changed): Lost shipment",
    ]


@pytest.mark.parametrize(("first", "last"), [(0, 3), (4, 3), (1, 11), (11, None)])
def test_bad_ranges_are_refused(world, first, last):
    batch = make_batch(world.product_a, count=10)
    with pytest.raises(actions.StampError, match="from stamp 1 to stamp 10"):
        actions.activate(batch, first=first, last=last)
    assert set(_states(batch)) == {StampState.ISSUED}


def test_voiding_needs_a_reason_and_activation_a_certificate(world):
    batch = make_batch(world.product_a, count=4)
    with pytest.raises(actions.StampError, match="why"):
        actions.void(batch, reason="  ")
    certificate = actions.certificate_in_force(world.product_a)
    certificate.revoked_on = clock.today()
    certificate.save()
    with pytest.raises(actions.StampError, match="certificate is in force"):
        actions.activate(batch)
    assert actions.void(batch, reason="Certificate revoked") == 4


def test_a_batch_still_generating_cannot_be_activated(world):
    lot = certified_lot(world.product_a)
    batch = StampBatch.objects.create(lot=lot, count=3)
    with pytest.raises(actions.StampError, match="not generated"):
        actions.activate(batch)


def test_printed_stamps_follow_the_product_gtin_frozen_at_issue(world, settings):
    settings.SITE_URL = "https://ocop.example.gov.vn"
    world.product_a.gtin = "8930000000019"
    world.product_a.save()
    batch = make_batch(world.product_a, count=3, number="LUC-2026-7")
    first = next(actions.printed_stamps(batch))
    assert first.uri == f"HTTPS://OCOP.EXAMPLE.GOV.VN/01/08930000000019/10/LUC-2026-7/21/{first.serial}"
    world.product_a.gtin = ""
    world.product_a.save()
    assert next(actions.printed_stamps(batch)).uri == first.uri
    short = make_batch(world.product_a, count=2)
    stamp = next(actions.printed_stamps(short))
    assert stamp.uri == f"HTTPS://OCOP.EXAMPLE.GOV.VN/S/{stamp.serial}"
    assert [s.seq for s in actions.printed_stamps(batch, 2, 3, chunk=1)] == [2, 3]


def test_a_serial_collision_is_drawn_again(world, monkeypatch):
    existing = make_batch(world.product_a, count=1).stamps.get().serial
    draws = iter([[existing], ["0" * 20]])
    monkeypatch.setattr(actions.codes, "new_serials", lambda n: next(draws))
    batch = make_batch(world.product_a, count=1)
    assert batch.status == BatchStatus.READY
    assert batch.stamps.get().serial == "0" * 20
