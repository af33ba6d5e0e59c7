"""The hash chain: append-only in the database, verification, batches and transactions."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ocop.audit import triggers
from ocop.audit.log import acting_as, record, record_bulk, record_many, verify_chain
from ocop.audit.models import GENESIS, Action, AuditEvent, BreakReason, ChainCheck
from ocop.audit.signals import snapshot
from ocop.registry.models import Product, ProductSet


def _events(n):
    return [record(Action.EXPORT, model="test.Thing", object_id=str(i), note=f"event {i}") for i in range(n)]


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_cmd():
    """Run audit_verify; return (exit status, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_two_records_in_sequence_link_their_hashes():
    first, second = _events(2)
    assert second.prev_hash == first.hash
    assert first.hash == first.compute_hash() and second.hash == second.compute_hash()
    stored = AuditEvent.objects.get(pk=second.pk)
    assert stored.compute_hash() == stored.hash  # survives the database round trip


@pytest.mark.django_db
def test_the_first_event_chains_to_genesis():
    assert not AuditEvent.objects.exists()
    (event,) = _events(1)
    assert event.prev_hash == GENESIS


@pytest.mark.django_db
def test_record_many_chains_a_batch_in_order_with_one_lookup(django_assert_max_num_queries):
    (before,) = _events(1)
    # lock (PostgreSQL) + last hash + one bulk insert, inside one transaction
    with django_assert_max_num_queries(5):
        batch = record_many({"action": Action.IMPORT, "model": "x.Y", "object_id": str(i)} for i in range(30))
    assert batch[0].prev_hash == before.hash
    stored = list(AuditEvent.objects.filter(pk__gt=before.pk).order_by("id"))
    assert [e.object_id for e in stored] == [str(i) for i in range(30)]
    assert all(b.prev_hash == a.hash for a, b in zip([before, *stored], stored, strict=False))
    assert verify_chain().ok


@pytest.mark.django_db
def test_record_many_refuses_unknown_keys():
    with pytest.raises(TypeError, match="unknown audit event keys"):
        record_many([{"action": Action.IMPORT, "modle": "x"}])


@pytest.mark.django_db
def test_odd_values_survive_the_round_trip():
    record(
        Action.IMPORT,
        model="x.Y",
        ip="2001:DB8::0001",
        after={"big": 1e20, "neg_zero": -0.0, "nan": float("nan"), "text": "Bắc Ninh", "nested": [{"a": 1.5}]},
    )
    record(Action.IMPORT, model="x.Y", ip="not an address")
    assert verify_chain().ok
    assert AuditEvent.objects.order_by("id").first().ip == "2001:db8::1"


def test_record_bulk_for_bulk_update(world):
    products = list(Product.objects.filter(pk__in=[world.product_a.pk, world.product_b.pk]).order_by("pk"))
    before = {p.pk: snapshot(p) for p in products}
    products[0].description = "Mô tả mới"
    with acting_as(world.user("admin")):
        Product.objects.bulk_update(products, ["description"])
        events = record_bulk(Action.UPDATE, products, before=before, note="import #1")
    (event,) = events  # product B did not change
    assert event.object_id == str(products[0].pk)
    assert event.before == {"description": ""} and event.after == {"description": "Mô tả mới"}
    assert event.actor_id == world.user("admin").pk


def test_record_bulk_for_bulk_create(world):
    fruit = ProductSet.objects.get(number=1)
    new = [
        Product(producer=world.producer_a, name=f"SP {i}", product_set=fruit, province=world.bac_ninh) for i in range(3)
    ]
    created = Product.objects.bulk_create(new)
    events = record_bulk(Action.CREATE, created)
    assert [e.after["name"] for e in events] == ["SP 0", "SP 1", "SP 2"]
    assert [e.object_id for e in events] == [str(p.pk) for p in created]
    with pytest.raises(ValueError):
        record_bulk(Action.UPDATE, created)


# --- Append-only in the database ---------------------------------------------------------------
@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_of_audit_rows():
    (event,) = _events(1)
    for sql in (
        "UPDATE audit_auditevent SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == "event 0"


@pytest.mark.django_db
def test_the_orm_refuses_update_and_delete_too():
    (event,) = _events(1)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_truncate():
    # No row inserted first: PostgreSQL refuses TRUNCATE after an insert in the
    # same transaction for another reason (pending foreign-key checks).
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("TRUNCATE audit_auditevent")


# --- Verification -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_intact_chain_passes():
    _events(5)
    status, out, err = verify_cmd()
    assert status == 0
    assert "5 rows checked: OK" in out and err == ""
    check = ChainCheck.objects.get()
    assert check.ok and check.checked == 5
    # The verification itself is logged, after the rows it checked.
    assert AuditEvent.objects.order_by("-id").first().action == Action.VERIFY


@pytest.mark.django_db
def test_a_changed_row_is_detected():
    events = _events(5)
    triggers.remove(connection)
    _raw("UPDATE audit_auditevent SET note = 'nothing happened' WHERE id = %s", [events[2].pk])
    status, out, err = verify_cmd()
    assert status == 1
    assert f"BROKEN at row {events[2].pk}" in err
    assert str(BreakReason.HASH.label) in err
    assert ChainCheck.objects.get().reason == BreakReason.HASH


@pytest.mark.django_db
def test_a_rehashed_row_is_detected_at_the_next_row():
    """Rewriting a row together with its own hash still breaks the link from the next row."""
    events = _events(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.note = "forged"
    triggers.remove(connection)
    _raw(
        "UPDATE audit_auditevent SET note = %s, hash = %s WHERE id = %s",
        [forged.note, forged.compute_hash(), forged.pk],
    )
    status, _out, err = verify_cmd()
    assert status == 1
    assert f"BROKEN at row {events[2].pk}" in err
    assert ChainCheck.objects.get().reason == BreakReason.PREV_HASH


@pytest.mark.django_db
def test_a_deleted_row_is_detected():
    events = _events(5)
    triggers.remove(connection)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    status, _out, err = verify_cmd()
    assert status == 1
    assert f"BROKEN at row {events[3].pk}" in err
    assert ChainCheck.objects.get().reason == BreakReason.PREV_HASH


@pytest.mark.django_db
def test_rows_cut_from_the_end_are_detected_against_the_last_verification():
    _events(3)
    assert verify_cmd()[0] == 0
    anchor = ChainCheck.objects.get()
    triggers.remove(connection)
    _raw("DELETE FROM audit_auditevent WHERE id >= %s", [anchor.last_id])
    status, _out, err = verify_cmd()
    assert status == 1
    assert f"BROKEN at row {anchor.last_id}" in err
    assert ChainCheck.objects.order_by("-id").first().reason == BreakReason.ANCHOR


@pytest.mark.django_db
def test_exit_status_from_the_command_line(monkeypatch):
    from django.core.management import execute_from_command_line

    # run_from_argv closes connections when it ends; the test transaction must survive.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    events = _events(2)
    execute_from_command_line(["manage.py", "audit_verify"])  # returns normally: status 0
    triggers.remove(connection)
    _raw("UPDATE audit_auditevent SET note = 'x' WHERE id = %s", [events[0].pk])
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert exc.value.code == 1


# --- Transactions --------------------------------------------------------------------------------
def _unit(code, level, province=None):
    from ocop.geo.models import AdminUnit

    unit = AdminUnit.objects.create(map="current", level=level, code=code, name=f"Đơn vị {code}")
    unit.province = province or unit
    unit.successor_province = province or unit
    unit.save()
    return unit


@pytest.mark.django_db(transaction=True)
def test_a_change_is_never_committed_without_its_audit_row(monkeypatch):
    """Outside any transaction a save and its audit row still commit together, or not at all."""
    from ocop.registry.models import Producer

    province = _unit("T1", "province")
    commune = _unit("T1001", "commune", province)
    producer = Producer.objects.create(name="HTX Một", kind="cooperative", commune=commune)
    assert AuditEvent.objects.filter(model="registry.Producer", object_id=str(producer.pk)).count() == 1

    def broken_record(*args, **kwargs):
        raise RuntimeError("the audit database is gone")

    monkeypatch.setattr("ocop.audit.signals.record", broken_record)
    producer.name = "HTX Hai"
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        producer.save()
    assert Producer.objects.get(pk=producer.pk).name == "HTX Một"
    assert AuditEvent.objects.filter(model="registry.Producer").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite test databases live in memory, one writer")
def test_concurrent_appends_keep_one_chain():
    from django.db import connections

    errors = []

    def writer(name):
        try:
            for i in range(15):
                record(Action.IMPORT, model="x.Y", object_id=f"{name}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_chain()
    assert report.ok and report.checked == 45


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_the_triggers():
    """Tests that commit for real end with a flush; the audit table must not block it."""
    _events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    (event,) = _events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
