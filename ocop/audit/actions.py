"""What the audit pages do: filter the log, export it, verify the chain."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from ocop.audit.log import check_chain, record
from ocop.audit.models import Action, AuditEvent, ChainCheck

PAGE_SIZE = 50

CSV_COLUMNS = [
    "id",
    "time_utc",
    "actor",
    "actor_id",
    "ip",
    "action",
    "record_type",
    "record_id",
    "record",
    "before",
    "after",
    "note",
    "prev_hash",
    "hash",
]


def filter_events(events: QuerySet[AuditEvent], filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Apply the list filters, newest first. Dates are UTC days, like the times the log keeps."""
    if "actor" in filters:
        events = events.filter(actor_name__icontains=filters["actor"])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "model" in filters:
        events = events.filter(model=filters["model"])
    if "object_id" in filters:
        events = events.filter(object_id=filters["object_id"].strip())
    if "date_from" in filters:
        events = events.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=dt.UTC))
    if "date_to" in filters:
        end = filters["date_to"] + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=dt.UTC))
    return events.order_by("-id")


def latest_check() -> ChainCheck | None:
    return ChainCheck.objects.order_by("-id").first()


def verify(user: Any) -> ChainCheck:
    return check_chain(by=user)


def _describe(filters: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(filters.items())) or "no filter"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with these is run as a formula by spreadsheet programs.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(events: QuerySet[AuditEvent], filters: dict[str, Any]) -> Iterator[str]:
    """Record the export, then yield the filtered log as CSV lines (UTF-8 with BOM, for spreadsheets)."""
    count = events.count()
    exported = record(
        Action.EXPORT,
        model=AuditEvent._meta.label,
        note=f"audit log CSV: {count} rows; {_describe(filters)}"[:500],
    )

    # Exactly the rows counted above: not the export's own event, nor later ones.
    snapshot = events.filter(id__lt=exported.id)

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)
        for event in snapshot.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    event.id,
                    event.at.astimezone(dt.UTC).isoformat(),
                    _cell(event.actor_name),
                    event.actor_id or "",
                    event.ip or "",
                    event.action,
                    event.model,
                    _cell(event.object_id),
                    _cell(event.object_repr),
                    json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
                    json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
                    _cell(event.note),
                    event.prev_hash,
                    event.hash,
                ]
            )

    return rows()


def _label(model_label: str, key: str) -> str:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = apps.get_model(model_label)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return key
    label = getattr(field, "verbose_name", None) or field.related_model._meta.verbose_name_plural
    return str(label)


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "[]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def comparison(event: AuditEvent) -> list[dict[str, Any]]:
    """One line per field of the event: its label and the value before and after, side by side."""
    before, after = event.before or {}, event.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [
        {
            "key": key,
            "label": _label(event.model, key),
            "before": _show(before.get(key)),
            "after": _show(after.get(key)),
            "changed": key in before and key in after and before[key] != after[key],
        }
        for key in keys
    ]
