"""Automatic audit of official records.

Every create, update and delete of a registered model, and every change to
its many-to-many links, is written to the audit log with the actor, the time
(UTC), the IP and the values before and after. An update records only the
fields that changed; a save that changes nothing writes nothing.

Same transaction, on purpose. The audit row is written by the signal handler
inside the transaction that makes the change, never in `on_commit`: with
on_commit a crash, a lost connection or a failing audit insert between the
commit of the change and the audit write would leave an official record
changed with no trace. Here either both commit or neither does; an audit
failure makes the change fail. Deletes and many-to-many changes already run
inside a transaction in Django, but `post_save` is sent after the row is
written, outside the save's own (if any) transaction, so `register()` makes the
model's `save()` open one when the caller has none. The price: audited writes
serialise on the chain lock until their transaction ends (see log.record_many),
so keep transactions that touch official records short.

Bulk operations (`bulk_create`, `bulk_update`, `QuerySet.update()`) send no
signals: record those rows with `ocop.audit.log.record_bulk()` in the same
transaction. `QuerySet.delete()` does send the delete signals and is audited.

Other apps add their official records from their AppConfig.ready()::

    from ocop.audit.signals import register
    register("evaluation.Score", exclude=["cached_total"])
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.duration import duration_iso_string

from ocop.audit.log import record
from ocop.audit.models import Action

# What the log shows for a secret field (e.g. the password hash): only that it changed.
HIDDEN = "[hidden]"
CHANGED = "[changed]"
SET = "[set]"

# Per-instance state carried from the pre_ to the post_ signal.
_STATE_ATTR = "_audit_state"
_SKIP = object()


@dataclass(frozen=True)
class Audited:
    model: type[models.Model]
    fields: tuple[models.Field, ...]
    secret: frozenset[str]
    m2m: tuple[models.ManyToManyField, ...]

    def fields_for(self, update_fields: Iterable[str] | None) -> tuple[models.Field, ...]:
        if update_fields is None:
            return self.fields
        wanted = set(update_fields)
        return tuple(f for f in self.fields if f.name in wanted or f.attname in wanted)


_audited: dict[type[models.Model], Audited] = {}
_links: dict[type[models.Model], models.ManyToManyField] = {}  # through model → its field

# The official records of the project's apps. Derived fields (the folded
# search name), timestamps set on every save, login times and progress
# counters are left out: they change without anybody changing the record.
DEFAULTS: list[tuple[str, dict[str, list[str]]]] = [
    ("registry.Producer", {"exclude": ["folded_name"]}),
    ("registry.Product", {"exclude": ["folded_name"]}),
    ("registry.ProductPhoto", {}),
    ("registry.Evidence", {}),
    ("certificates.Certificate", {}),
    ("certificates.Proposal", {}),
    (settings.AUTH_USER_MODEL, {"exclude": ["last_login"], "secret": ["password"]}),
    # The row-level errors and summary of a job are working data, not the record: kept out of the chain.
    ("imports.ImportJob", {"exclude": ["processed_rows", "errors", "summary"]}),
]


def register(
    model: type[models.Model] | str, *, exclude: Iterable[str] = (), secret: Iterable[str] = ()
) -> type[models.Model]:
    """Audit every create, update and delete of `model` ("app_label.Model" or the class).

    `exclude`: fields never recorded (derived values, counters). `secret`:
    fields whose value is never stored, only the fact that it changed.
    Fields with auto_now and the primary key are always left out.
    """
    if isinstance(model, str):
        model = apps.get_model(model)
    concrete = model._meta.concrete_model
    excluded, secrets = set(exclude), set(secret)
    known = {f.name for f in concrete._meta.get_fields()}
    unknown = (excluded | secrets) - known
    if unknown:
        raise ValueError(f"{concrete._meta.label} has no field(s) {sorted(unknown)}")
    fields = tuple(
        f
        for f in concrete._meta.concrete_fields
        if f.name not in excluded and not f.primary_key and not getattr(f, "auto_now", False)
    )
    m2m = tuple(f for f in concrete._meta.many_to_many if f.name not in excluded)
    _audited[concrete] = Audited(model=concrete, fields=fields, secret=frozenset(secrets), m2m=m2m)
    for field in m2m:
        _links[field.remote_field.through] = field
    _make_save_atomic(concrete)
    return model


def is_audited(model: type[models.Model]) -> bool:
    return model._meta.concrete_model in _audited


def audited_models() -> list[type[models.Model]]:
    return list(_audited)


def register_defaults() -> None:
    for label, options in DEFAULTS:
        register(label, **options)


def connect() -> None:
    # Connected once for all senders and dispatched through the registry, so
    # proxies of an audited model are audited too and later registrations need
    # no wiring of their own.
    pre_save.connect(_pre_save, dispatch_uid="ocop.audit.pre_save")
    post_save.connect(_post_save, dispatch_uid="ocop.audit.post_save")
    pre_delete.connect(_pre_delete, dispatch_uid="ocop.audit.pre_delete")
    post_delete.connect(_post_delete, dispatch_uid="ocop.audit.post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="ocop.audit.m2m_changed")


def _make_save_atomic(model: type[models.Model]) -> None:
    """Make `model.save()` run in a transaction when its caller has none (see the module docstring)."""
    original = model.save
    if getattr(original, "_audit_atomic", False):
        return

    @functools.wraps(original)
    def save(self: models.Model, *args: Any, **kwargs: Any) -> Any:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if transaction.get_connection(using).in_atomic_block:
            # The caller's transaction already holds the change and its audit
            # row together; adding a savepoint here would only cost queries.
            return original(self, *args, **kwargs)
        with transaction.atomic(using=using):
            return original(self, *args, **kwargs)

    save._audit_atomic = True  # type: ignore[attr-defined]
    model.save = save  # type: ignore[method-assign]


# --- Values ----------------------------------------------------------------------------------
def _json_value(field: models.Field, value: Any) -> Any:
    """A field value as JSON: dates ISO, decimals as strings, files by stored name, relations by id."""
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    if value is None:
        return None
    try:
        value = field.target_field.to_python(value) if field.is_relation else field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        pass  # keep what was assigned; it is still recorded
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        if places is not None and value.is_finite():
            value = value.quantize(decimal.Decimal(1).scaleb(-places))
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, str):
        return str(value)  # choices enums become their plain value
    if isinstance(value, bool | int | float | dict | list):
        return value
    return str(value)


def _digest(value: Any) -> str:
    # Snapshots are compared, never stored; a digest keeps even the in-memory
    # copy of a secret (the password hash) out of reach.
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()


def _spec(model: type[models.Model]) -> Audited | None:
    return _audited.get(model._meta.concrete_model)


def _value_map(spec: Audited, fields: Iterable[models.Field], get: Any) -> dict[str, Any]:
    data = {}
    for field in fields:
        value = _json_value(field, get(field))
        data[field.name] = _digest(value) if field.name in spec.secret and value else value
    return data


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The audited fields of `instance` as JSON values (secret fields as a digest, for comparison only).

    Take one before changing objects you will save with bulk_update, and pass
    it to `record_bulk()`, which masks secrets before anything is stored.
    """
    spec = _spec(type(instance)) or Audited(
        model=type(instance),
        fields=tuple(f for f in instance._meta.concrete_fields if not f.primary_key),
        secret=frozenset(),
        m2m=(),
    )
    return _value_map(spec, spec.fields, lambda f: getattr(instance, f.attname))


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) holding only the keys whose values differ."""
    changed = [key for key in new if key not in old or old[key] != new[key]]
    changed += [key for key in old if key not in new]
    return {k: old.get(k) for k in changed}, {k: new.get(k) for k in changed}


def masked(model: type[models.Model], data: dict[str, Any] | None, *, side: str) -> dict[str, Any] | None:
    """`data` with secret values replaced by a marker: "[hidden]" before, "[changed]" or "[set]" after."""
    spec = _spec(model)
    if data is None or spec is None or not spec.secret:
        return data
    out = dict(data)
    for key in spec.secret & set(out):
        if out[key]:
            out[key] = {"before": HIDDEN, "after": CHANGED, "create": SET}[side]
    return out


# --- Handlers ------------------------------------------------------------------------------
def _pre_save(
    sender: type[models.Model], instance: models.Model, using: str, update_fields: Any, **kwargs: Any
) -> None:
    spec = _spec(sender)
    if spec is None:
        return
    state: Any = None
    if instance.pk is not None:
        fields = spec.fields_for(update_fields)
        if not fields:
            state = _SKIP  # only unaudited fields are written (e.g. last_login)
        else:
            row = (
                spec.model._base_manager.using(using)
                .filter(pk=instance.pk)
                .values(*(f.attname for f in fields))
                .first()
            )
            if row is not None:
                state = _value_map(spec, fields, lambda f: row[f.attname])
    instance.__dict__[_STATE_ATTR] = state


def _post_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    spec = _spec(sender)
    if spec is None:
        return
    old = instance.__dict__.pop(_STATE_ATTR, None)
    if old is _SKIP:
        return
    if created or old is None:
        after = _value_map(spec, spec.fields, lambda f: getattr(instance, f.attname))
        record(Action.CREATE, instance=instance, after=masked(sender, after, side="create"))
        return
    fields = [f for f in spec.fields if f.name in old]
    new = _value_map(spec, fields, lambda f: getattr(instance, f.attname))
    before, after = diff(old, new)
    if not after:
        return
    record(
        Action.UPDATE,
        instance=instance,
        before=masked(sender, before, side="before"),
        after=masked(sender, after, side="after"),
    )


def _pre_delete(sender: type[models.Model], instance: models.Model, using: str, **kwargs: Any) -> None:
    spec = _spec(sender)
    if spec is None:
        return
    data = _value_map(spec, spec.fields, lambda f: getattr(instance, f.attname))
    # Links go before the row does (Django clears them first), so read them now.
    for field in spec.m2m:
        data[field.name] = _linked_ids(field, instance, reverse=False, using=using)
    instance.__dict__[_STATE_ATTR] = data


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    spec = _spec(sender)
    if spec is None:
        return
    data = instance.__dict__.pop(_STATE_ATTR, None)
    if not isinstance(data, dict):
        data = _value_map(spec, spec.fields, lambda f: getattr(instance, f.attname))
    record(Action.DELETE, instance=instance, before=masked(sender, data, side="before"))


def _link_names(field: models.ManyToManyField, reverse: bool) -> tuple[str, str]:
    """(column holding the instance's id, column holding the linked ids) in the through table."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    if reverse:
        source, target = target, source
    return through._meta.get_field(source).attname, through._meta.get_field(target).attname


def _linked_ids(field: models.ManyToManyField, instance: models.Model, *, reverse: bool, using: str) -> list[Any]:
    source, target = _link_names(field, reverse)
    through = field.remote_field.through
    ids = through._base_manager.using(using).filter(**{source: instance.pk}).values_list(target, flat=True)
    return sorted(ids)


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    using: str,
    **kwargs: Any,
) -> None:
    field = _links.get(sender)
    if field is None:
        return
    key = f"{_STATE_ATTR}_{sender._meta.label}"
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance.__dict__[key] = _linked_ids(field, instance, reverse=reverse, using=using)
        return
    current = instance.__dict__.pop(key, None)
    if current is None:
        return
    if action == "post_add":
        new = set(current) | set(pk_set or ())
    elif action == "post_remove":
        new = set(current) - set(pk_set or ())
    else:
        new = set()
    if new == set(current):
        return
    name = field.remote_field.get_accessor_name() if reverse else field.name
    record(Action.UPDATE, instance=instance, before={name: current}, after={name: sorted(new)})
