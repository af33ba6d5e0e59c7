"""Checking and applying the rows of an import job.

One pass over the file builds a `Plan`: every row is read, resolved against
the registry (communes, producers, products, certificates) and either turned
into a create / update / unchanged decision or into row errors. The dry run
stores the plan's summary; the import builds the plan again inside its
transaction (the registry may have changed since the dry run) and applies it
only when it has no error at all.

Matching, which makes a re-run of the same file change nothing:
- producers by tax code, else folded name + commune;
- products by OCOP code, else producer + folded name;
- certificates by product + number, else product + issue date + stars.
A blank cell never erases a value already in the registry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from ocop.audit.log import record_bulk
from ocop.audit.models import Action
from ocop.certificates.models import Certificate, CertificateSource
from ocop.geo.models import AdminUnit
from ocop.imports import cells
from ocop.imports.cells import CellError, Choices
from ocop.imports.communes import CommuneIndex
from ocop.imports.fields import fields_for, norm
from ocop.imports.files import iter_data_rows
from ocop.imports.models import ImportJob, ImportKind
from ocop.lib.text import fold
from ocop.registry.models import Producer, ProducerStatus, Product, ProductSet, ProductStatus
from ocop.search import products as search_rows
from ocop.stats import cache as stats_cache

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTIONS = (CREATE, UPDATE, UNCHANGED)

# Errors kept on the job for display; the count is always complete.
MAX_STORED_ERRORS = 1000
# Rows kept on the job to show what the import would do.
MAX_PREVIEW_ROWS = 300
PROGRESS_EVERY = 250
BATCH_SIZE = 500

# Certificates are valid 36 months (QĐ 26/2026); used when a row has no expiry date.
CERTIFICATE_MONTHS = 36

# The rulebook in force on a certificate's issue date (newest first), recorded
# on imported certificates so statistics can tell the periods apart.
RULEBOOK_PERIODS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2026, 5, 22), "qd-26-2026"),
    (dt.date(2025, 7, 6), "qd-148-2023-1489-2025"),
    (dt.date(2023, 2, 24), "qd-148-2023"),
    (dt.date(2019, 8, 7), "qd-1048-2019"),
)

ProgressCallback = Callable[[str, int], None]


def rulebook_on(day: dt.date) -> str:
    for start, rulebook in RULEBOOK_PERIODS:
        if day >= start:
            return rulebook
    return ""


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass
class Item:
    """One record the import creates, updates or leaves as it is."""

    action: str
    obj: Any
    row: int
    values: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    kind: str
    producers: list[Item] = field(default_factory=list)
    products: list[Item] = field(default_factory=list)
    certificates: list[Item] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0

    def counts(self) -> dict[str, dict[str, int]]:
        result = {"producers": _count(self.producers)}
        if self.kind == ImportKind.PRODUCTS:
            result["products"] = _count(self.products)
            result["certificates"] = _count(self.certificates)
        return result

    def summary(self) -> dict[str, Any]:
        return {"counts": self.counts(), "rows": self.rows[:MAX_PREVIEW_ROWS], "total_rows": self.total_rows}


def _count(items: list[Item]) -> dict[str, int]:
    counter = Counter(item.action for item in items)
    return {action: counter.get(action, 0) for action in ACTIONS}


class RowContext:
    """The cells of one row, addressed by field key."""

    def __init__(self, number: int, values: list[Any], columns: dict[str, int]) -> None:
        self.number = number
        self.values = values
        self.columns = columns
        self.bad = False

    def raw(self, key: str) -> Any:
        index = self.columns.get(key)
        if index is None:
            return None
        value = self.values[index]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value


class ProductSetIndex:
    def __init__(self) -> None:
        self.by_number: dict[int, ProductSet] = {}
        self.by_name: dict[str, ProductSet] = {}
        # The current rulebook's sets win over any older taxonomy with the same numbers.
        sets = ProductSet.objects.select_related("group__category").order_by("group__category__rulebook")
        for product_set in sets:
            current = product_set.group.category.rulebook == "qd-26-2026"
            if current or product_set.number not in self.by_number:
                self.by_number[product_set.number] = product_set
            for name in (product_set.name, product_set.name_en, str(product_set)):
                if name:
                    self.by_name.setdefault(norm(name), product_set)

    def parse(self, value: Any) -> ProductSet:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            found = self.by_number.get(int(value))
        else:
            name = norm(cells.text(value))
            found = self.by_name.get(name)
            if found is None:
                for prefix in ("bo san pham ", "bo ", "set "):
                    if name.startswith(prefix):
                        name = name[len(prefix) :]
                number = name.split(" ", 1)[0]
                if number.isdigit():
                    found = self.by_number.get(int(number))
        if found is None:
            raise CellError("product_set_unknown", value=cells.text(value))
        return found


# Fields compared when a row matches an existing record (model field names).
PRODUCER_COMPARED = (
    "name",
    "kind",
    "tax_code",
    "commune",
    "current_commune",
    "street",
    "phone",
    "email",
    "website",
    "rep_name",
    "rep_position",
    "rep_gender",
    "rep_ethnicity",
    "rep_id_number",
    "status",
)
PRODUCT_COMPARED = ("name", "product_set", "code", "gtin", "description", "status")
CERTIFICATE_COMPARED = (
    "star",
    "score",
    "number",
    "decision_number",
    "decision_date",
    "issuing_body",
    "issued_on",
    "expires_on",
)
CERTIFICATE_FIELDS = (
    "star",
    "score",
    "certificate_number",
    "decision_number",
    "decision_date",
    "issuing_body",
    "issued_on",
    "expires_on",
)


def _changes(obj: models.Model, values: dict[str, Any], compared: tuple[str, ...]) -> dict[str, Any]:
    changes = {}
    for name in compared:
        if name not in values:
            continue
        new = values[name]
        if isinstance(new, models.Model):
            # Compare keys: reading the related object would cost a query per row.
            if getattr(obj, f"{name}_id") != new.pk:
                changes[name] = new
        elif getattr(obj, name) != new:
            changes[name] = new
    return changes


class Planner:
    def __init__(self, job: ImportJob, progress: ProgressCallback | None = None) -> None:
        self.job = job
        self.kind = job.kind
        self.province: AdminUnit = job.province
        self.progress = progress
        self.columns = {key: job.headers.index(h) for key, h in job.mapping.items() if h in job.headers}
        self.fields = {f.key: f for f in fields_for(job.kind)}
        self.communes = CommuneIndex(self.province)
        self.choices = Choices()
        self.plan = Plan(kind=job.kind)
        self.errors: list[dict[str, Any]] = []

        producers = list(Producer.objects.filter(province=self.province))
        self.producer_by_tax = {p.tax_code: p for p in producers if p.tax_code}
        self.producer_by_name_commune = {(p.folded_name, p.commune_id): p for p in producers}
        self.producers_by_name: dict[str, list[Producer]] = defaultdict(list)
        for p in producers:
            self.producers_by_name[p.folded_name].append(p)
        # Producers planned by earlier rows of this file, under the same keys.
        self.file_producers: dict[tuple[Any, ...], Item] = {}
        self.file_producers_by_name: dict[str, list[Item]] = defaultdict(list)
        self.referenced: dict[int, Item] = {}

        if self.kind == ImportKind.PRODUCTS:
            self.sets = ProductSetIndex()
            products = list(Product.objects.filter(province=self.province))
            self.product_by_code = {p.code: p for p in products if p.code}
            self.product_by_name = {(p.producer_id, p.folded_name): p for p in products}
            self.file_products: dict[tuple[Any, ...], Item] = {}
            self.file_codes: dict[str, tuple[int, tuple[Any, ...]]] = {}
            certificates = Certificate.objects.filter(product__province=self.province)
            self.cert_by_number: dict[tuple[int, str], Certificate] = {}
            self.cert_by_date: dict[tuple[int, dt.date, int], Certificate] = {}
            for cert in certificates:
                if cert.number:
                    self.cert_by_number.setdefault((cert.product_id, cert.number), cert)
                self.cert_by_date.setdefault((cert.product_id, cert.issued_on, cert.star), cert)
            self.file_certificates: dict[tuple[Any, ...], int] = {}

    # --- errors ------------------------------------------------------------------------------
    def error(self, ctx: RowContext, key: str, code: str, **params: Any) -> None:
        ctx.bad = True
        header = self.job.mapping.get(key, "")
        self.errors.append({"row": ctx.number, "column": header, "code": code, "params": params})

    def read(self, ctx: RowContext, key: str, parse: Callable[[Any], Any] | None = None, max_length: int = 0) -> Any:
        """The parsed cell, or None when blank or wrong (the error is recorded)."""
        raw = ctx.raw(key)
        if raw is None:
            return None
        try:
            value = parse(raw) if parse else cells.text(raw)
            if max_length and isinstance(value, str):
                cells.limited(value, max_length)
        except CellError as exc:
            self.error(ctx, exc.params.pop("column", key), exc.code, **exc.params)
            return None
        return value if value != "" else None

    def required(self, ctx: RowContext, key: str, value: Any) -> Any:
        if value is None and ctx.raw(key) is None:
            self.error(ctx, key, "required")
        return value

    # --- the pass ------------------------------------------------------------------------------
    def run(self, rows: Iterator[tuple[int, list[Any]]]) -> Plan:
        handle = self.producer_row if self.kind == ImportKind.PRODUCERS else self.product_row
        count = 0
        for number, values in rows:
            ctx = RowContext(number, values, self.columns)
            handle(ctx)
            count += 1
            if self.progress and count % PROGRESS_EVERY == 0:
                self.progress("checking", count)
        self.plan.total_rows = count
        self._check_elsewhere()
        self.errors.sort(key=lambda e: e["row"])
        self.plan.errors = self.errors
        if self.progress:
            self.progress("checking", count)
        return self.plan

    def _check_elsewhere(self) -> None:
        """Tax codes and OCOP codes the file would add that exist in another province: one query each."""
        created = [i for i in self.plan.producers if i.action == CREATE]
        new_tax = {i.values["tax_code"]: i for i in created if i.values.get("tax_code")}
        if new_tax:
            taken = Producer.objects.filter(tax_code__in=list(new_tax)).exclude(province=self.province)
            tax_key = "tax_code" if self.kind == ImportKind.PRODUCERS else "producer_tax_code"
            for code in taken.values_list("tax_code", flat=True).distinct():
                item = new_tax[code]
                ctx = RowContext(item.row, [], {})
                self.error(ctx, tax_key, "tax_code_elsewhere")
        if self.kind == ImportKind.PRODUCTS:
            new_codes = {code: row for code, (row, _key) in self.file_codes.items() if code not in self.product_by_code}
            if new_codes:
                taken_products = Product.objects.filter(code__in=list(new_codes)).exclude(province=self.province)
                for code, name in taken_products.values_list("code", "name"):
                    ctx = RowContext(new_codes[code], [], {})
                    self.error(ctx, "code", "code_taken", value=code, product=name)

    def note_row(self, ctx: RowContext, label: str, **actions: str) -> None:
        if len(self.plan.rows) < MAX_PREVIEW_ROWS:
            self.plan.rows.append({"row": ctx.number, "label": label, **actions})

    # --- producers -----------------------------------------------------------------------------
    def producer_values(self, ctx: RowContext, *, prefix: str = "") -> dict[str, Any]:
        """The producer cells of a row as model values (only the cells that are filled in)."""
        values: dict[str, Any] = {}
        name = self.read(ctx, f"{prefix}name", max_length=250)
        if name is not None:
            values["name"] = name
        kind = self.read(ctx, f"{prefix}kind", self.choices.kind)
        if kind is None and name is not None and ctx.raw(f"{prefix}kind") is None:
            kind = Choices.kind_from_name(name)
        if kind is not None:
            values["kind"] = kind
        tax = self.read(ctx, f"{prefix}tax_code", cells.tax_code)
        if tax is not None:
            values["tax_code"] = tax
        commune_text = self.read(ctx, "commune")
        if commune_text is not None:
            try:
                unit = self.communes.resolve(
                    commune_text, self.read(ctx, "district") or "", self.read(ctx, "province") or ""
                )
            except CellError as exc:
                self.error(ctx, exc.params.pop("column", "commune"), exc.code, **exc.params)
            else:
                values["commune"] = unit
                current_text = self.read(ctx, "current_commune")
                if current_text is not None:
                    try:
                        current = self.communes.resolve_current(current_text)
                    except CellError as exc:
                        self.error(ctx, exc.params.pop("column", "current_commune"), exc.code, **exc.params)
                    else:
                        if unit.is_current and current.pk != unit.pk:
                            self.error(ctx, "current_commune", "current_commune_differs")
                        else:
                            values["current_commune"] = current
        if prefix:
            return values
        for key, parse, length in (
            ("street", None, 250),
            ("phone", cells.phone, 20),
            ("email", cells.email, 254),
            ("website", cells.website, 200),
            ("rep_name", None, 150),
            ("rep_position", None, 100),
            ("rep_gender", self.choices.gender, 0),
            ("rep_ethnicity", None, 50),
            ("rep_id_number", cells.id_number, 12),
            ("status", self.choices.producer_status, 0),
        ):
            value = self.read(ctx, key, parse, max_length=length)
            if value is not None:
                values[key] = value
        return values

    def producer_key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        if "tax_code" in values:
            return ("tax", values["tax_code"])
        return ("name", fold(values["name"]), values["commune"].pk)

    def existing_producer(self, values: dict[str, Any]) -> Producer | None:
        if "tax_code" in values:
            found = self.producer_by_tax.get(values["tax_code"])
            if found is not None:
                return found
        if "name" not in values or "commune" not in values:
            return None
        found = self.producer_by_name_commune.get((fold(values["name"]), values["commune"].pk))
        # A row with a tax code matches a producer by name only when the
        # registry has no tax code for it yet (the row then adds it).
        if found is not None and "tax_code" in values and found.tax_code:
            return None
        return found

    def new_producer(self, ctx: RowContext, values: dict[str, Any]) -> Item:
        producer = Producer(**values)
        # A list kept by the provincial office is its own record of the
        # producers it recognises: verified unless the row says otherwise.
        producer.status = values.get("status", ProducerStatus.VERIFIED)
        if producer.status == ProducerStatus.VERIFIED:
            producer.verified_at = timezone.now()
            producer.verified_by = self.job.created_by
        item = Item(CREATE, producer, ctx.number, values)
        self.plan.producers.append(item)
        self.file_producers[self.producer_key(values)] = item
        if "tax_code" in values:
            # Also findable by name + commune from later product rows without a tax code.
            self.file_producers[("name", fold(values["name"]), values["commune"].pk)] = item
        self.file_producers_by_name[fold(values["name"])].append(item)
        return item

    def producer_row(self, ctx: RowContext) -> None:
        values = self.producer_values(ctx)
        self.required(ctx, "name", values.get("name"))
        self.required(ctx, "commune", values.get("commune"))
        if "kind" not in values and ctx.raw("kind") is None:
            self.error(ctx, "kind" if "kind" in self.columns else "name", "kind_missing")
        if ctx.bad:
            return
        key = self.producer_key(values)
        if key in self.file_producers:
            column = "tax_code" if key[0] == "tax" else "name"
            self.error(ctx, column, "duplicate_producer", first=self.file_producers[key].row)
            return
        existing = self.existing_producer(values)
        if existing is None:
            item = self.new_producer(ctx, values)
        else:
            changes = _changes(existing, values, PRODUCER_COMPARED)
            item = Item(UPDATE if changes else UNCHANGED, existing, ctx.number, values, changes)
            self.plan.producers.append(item)
            self.file_producers[key] = item
        self.note_row(ctx, values["name"], producer=item.action)

    # --- products ------------------------------------------------------------------------------
    def product_producer(self, ctx: RowContext) -> tuple[Producer, Item | None] | None:
        """The producer a product row belongs to: (producer, its planned item when new or first seen)."""
        values = self.producer_values(ctx, prefix="producer_")
        if ctx.bad:
            return None
        tax = values.get("tax_code")
        name = values.get("name")
        commune = values.get("commune")
        if tax:
            item = self.file_producers.get(("tax", tax))
            if item is not None:
                return item.obj, item
            existing = self.existing_producer(values)
            if existing is not None:
                return existing, None
        elif name:
            folded = fold(name)
            if commune is not None:
                item = self.file_producers.get(("name", folded, commune.pk))
                if item is not None:
                    return item.obj, item
                existing = self.producer_by_name_commune.get((folded, commune.pk))
                if existing is not None:
                    return existing, None
            else:
                known = self.producers_by_name.get(folded, [])
                planned = [i for i in self.file_producers_by_name.get(folded, []) if i.action == CREATE]
                if len(known) + len(planned) > 1:
                    self.error(ctx, "producer_name", "producer_ambiguous", province=self.province.name)
                    return None
                if known:
                    return known[0], None
                if planned:
                    return planned[0].obj, planned[0]
        # Not in the registry: the row may carry enough to create the producer.
        if name and commune is not None and "kind" in values:
            item = self.new_producer(ctx, values)
            return item.obj, item
        if name and commune is not None:
            self.error(ctx, "producer_kind" if "producer_kind" in self.columns else "producer_name", "kind_missing")
        else:
            key = "producer_tax_code" if tax else "producer_name"
            self.error(ctx, key, "producer_missing", province=self.province.name)
        return None

    def product_row(self, ctx: RowContext) -> None:
        found = self.product_producer(ctx)
        values: dict[str, Any] = {}
        name = self.required(ctx, "name", self.read(ctx, "name", max_length=250))
        if name is not None:
            values["name"] = name
        product_set = self.read(ctx, "product_set", self.sets.parse)
        if product_set is not None:
            values["product_set"] = product_set
        for key, parse, length in (
            ("code", None, 40),
            ("gtin", cells.gtin, 14),
            ("description", None, 0),
            ("status", self.choices.product_status, 0),
        ):
            value = self.read(ctx, key, parse, max_length=length)
            if value is not None:
                values[key] = value
        cert = {key: self.read(ctx, key, parse, max_length=length) for key, parse, length in _CERT_READERS}
        cert = {k: v for k, v in cert.items() if v is not None}
        if ctx.bad or found is None:
            return
        producer, producer_item = found
        producer_action = producer_item.action if producer_item is not None else UNCHANGED
        if producer_item is None and producer.pk not in self.referenced:
            # An existing producer a product row refers to: counted once, as unchanged.
            self.referenced[producer.pk] = Item(UNCHANGED, producer, ctx.number, {})
            self.plan.producers.append(self.referenced[producer.pk])
        product_item = self.plan_product(ctx, producer, values)
        if product_item is None:
            return
        cert_action = ""
        if cert:
            cert_item = self.plan_certificate(ctx, product_item, cert)
            if cert_item is None:
                return
            cert_action = cert_item.action
        self.note_row(
            ctx,
            f"{values['name']} – {producer.name}",
            producer=producer_action,
            product=product_item.action,
            certificate=cert_action,
        )

    def plan_product(self, ctx: RowContext, producer: Producer, values: dict[str, Any]) -> Item | None:
        code = values.get("code")
        folded = fold(values["name"])
        existing: Product | None = None
        if code:
            existing = self.product_by_code.get(code)
            if existing is not None and (producer.pk is None or existing.producer_id != producer.pk):
                self.error(ctx, "code", "code_taken", value=code, product=existing.name)
                return None
        if existing is None and producer.pk is not None:
            existing = self.product_by_name.get((producer.pk, folded))
        key: tuple[Any, ...] = ("pk", existing.pk) if existing is not None else ("new", id(producer), folded)
        if code:
            first = self.file_codes.get(code)
            if first is not None and first[1] != key:
                self.error(ctx, "code", "code_repeated", value=code, first=first[0])
                return None
            self.file_codes.setdefault(code, (ctx.number, key))
        item = self.file_products.get(key)
        if item is not None:
            for name, value in values.items():
                if name in item.values and item.values[name] != value:
                    self.error(ctx, name, "product_conflict", first=item.row)
                    return None
            return item
        if existing is not None:
            changes = _changes(existing, values, PRODUCT_COMPARED)
            item = Item(UPDATE if changes else UNCHANGED, existing, ctx.number, values, changes)
        else:
            if "product_set" not in values:
                self.error(ctx, "product_set", "required")
                return None
            product = Product(producer=producer, **values)
            if "status" not in values:
                product.status = ProductStatus.ACTIVE
            item = Item(CREATE, product, ctx.number, values)
        self.plan.products.append(item)
        self.file_products[key] = item
        return item

    def plan_certificate(self, ctx: RowContext, product_item: Item, cert: dict[str, Any]) -> Item | None:
        star = cert.get("star")
        if star is None:
            self.error(ctx, "star", "star_missing")
            return None
        issued = cert.get("issued_on") or cert.get("decision_date")
        if issued is None:
            self.error(ctx, "issued_on" if "issued_on" in self.columns else "star", "issued_missing")
            return None
        values: dict[str, Any] = {"star": star, "issued_on": issued}
        for source, target in (
            ("score", "score"),
            ("certificate_number", "number"),
            ("decision_number", "decision_number"),
            ("decision_date", "decision_date"),
            ("issuing_body", "issuing_body"),
            ("expires_on", "expires_on"),
        ):
            if source in cert:
                values[target] = cert[source]
        expires = values.get("expires_on") or add_months(issued, CERTIFICATE_MONTHS)
        if expires <= issued:
            self.error(ctx, "expires_on", "expiry_before_issue")
            return None
        number = values.get("number")
        product = product_item.obj
        key = (id(product), "number", number) if number else (id(product), "date", issued, star)
        if key in self.file_certificates:
            column = "certificate_number" if number else "issued_on"
            self.error(ctx, column, "duplicate_certificate", first=self.file_certificates[key])
            return None
        self.file_certificates[key] = ctx.number
        existing = None
        if product.pk is not None:
            if number:
                existing = self.cert_by_number.get((product.pk, number))
            else:
                existing = self.cert_by_date.get((product.pk, issued, star))
        if existing is not None:
            changes = _changes(existing, values, CERTIFICATE_COMPARED)
            item = Item(UPDATE if changes else UNCHANGED, existing, ctx.number, values, changes)
        else:
            certificate = Certificate(
                product=product,
                expires_on=expires,
                rulebook=rulebook_on(issued),
                source=CertificateSource.IMPORT,
                **{k: v for k, v in values.items() if k != "expires_on"},
            )
            item = Item(CREATE, certificate, ctx.number, values)
        self.plan.certificates.append(item)
        return item


_CERT_READERS: tuple[tuple[str, Callable[[Any], Any] | None, int], ...] = (
    ("star", cells.star, 0),
    ("score", cells.score, 0),
    ("certificate_number", None, 60),
    ("decision_number", None, 60),
    ("decision_date", cells.date, 0),
    ("issuing_body", None, 250),
    ("issued_on", cells.date, 0),
    ("expires_on", cells.date, 0),
)


def build_plan(job: ImportJob, progress: ProgressCallback | None = None) -> Plan:
    """Read every row of the job's file and decide what importing it would do. Writes nothing."""
    planner = Planner(job, progress)
    with job.file.open("rb") as fh:
        rows = iter_data_rows(fh, job.file_format, len(job.headers), job.encoding, job.delimiter)
        return planner.run(rows)


# --- applying ---------------------------------------------------------------------------------
def _prepare_producer(producer: Producer) -> None:
    # bulk_create skips Producer.save(); these are the fields it derives.
    producer.folded_name = fold(producer.name)
    producer.province_id = producer.commune.successor_province_id
    if producer.commune.is_current:
        producer.current_commune_id = producer.commune_id


def _prepare_product(product: Product) -> None:
    # bulk_create skips Product.save(); these are the fields it derives.
    product.producer_id = product.producer.pk
    product.folded_name = fold(product.name)
    product.province_id = product.producer.province_id
    product.current_commune_id = product.producer.current_commune_id


def _create_all(model: type[models.Model], objs: list[Any], note: str, done: Callable[[int], None]) -> None:
    # Thousands of rows: bulk inserts, audited in bulk in the same transaction.
    for start in range(0, len(objs), BATCH_SIZE):
        batch = objs[start : start + BATCH_SIZE]
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        record_bulk(Action.CREATE, batch, note=note)
        done(len(batch))


def _update_all(items: list[Item], done: Callable[[int], None], prepare: Callable[[Any], None] | None = None) -> None:
    # Updates are few (a re-import mostly finds rows unchanged): plain saves, so
    # the audit signals record each change with its before and after.
    for item in items:
        for name, value in item.changes.items():
            setattr(item.obj, name, value)
        if prepare:
            prepare(item.obj)
        item.obj.save()
        done(1)


def apply_plan(job: ImportJob, plan: Plan, progress: ProgressCallback | None = None) -> None:
    """Write the plan. The caller holds the transaction; any exception leaves nothing behind."""
    note = f"import #{job.pk}: {job.original_name}"[:500]
    written = 0

    def done(count: int) -> None:
        nonlocal written
        written += count
        if progress:
            progress("writing", written)

    def by_action(items: list[Item], action: str) -> list[Item]:
        return [item for item in items if item.action == action]

    new_producers = [item.obj for item in by_action(plan.producers, CREATE)]
    for producer in new_producers:
        _prepare_producer(producer)
    _create_all(Producer, new_producers, note, done)

    def verified_now(producer: Producer) -> None:
        if producer.status == ProducerStatus.VERIFIED and producer.verified_at is None:
            producer.verified_at = timezone.now()
            producer.verified_by = job.created_by

    _update_all(by_action(plan.producers, UPDATE), done, verified_now)

    new_products = [item.obj for item in by_action(plan.products, CREATE)]
    for product in new_products:
        _prepare_product(product)
    _create_all(Product, new_products, note, done)
    _update_all(by_action(plan.products, UPDATE), done)

    new_certificates = [item.obj for item in by_action(plan.certificates, CREATE)]
    for certificate in new_certificates:
        certificate.product_id = certificate.product.pk
    _create_all(Certificate, new_certificates, note, done)
    _update_all(by_action(plan.certificates, UPDATE), done)
    # bulk_create sent no signals: the search rows of the new products, and of the products of the new
    # certificates (whether they are public, their star), written now.
    search_rows.catch_up([product.pk for product in new_products])
    stats_cache.changed()  # bulk_create sent no signals: the statistics kept per process are out of date


def planned_writes(plan: Plan) -> int:
    items = (*plan.producers, *plan.products, *plan.certificates)
    return sum(1 for item in items if item.action != UNCHANGED)
