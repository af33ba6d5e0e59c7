"""Writing the demo plan (ocop.demo.plan) to the database, and the demo logins.

Rows are written only when missing, so a second run changes nothing. Only the
evidence expiry dates follow the day of the first run (one document must
always be "expiring soon" when the demo is shown).

Bulk inserts keep the load fast (tests of later features use this data set as
their reference); they bypass model signals, so the rows are audited with
`record_bulk` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from ocop.demo.plan import (
    CHICKEN_PRODUCER,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    LYCHEE_PRODUCER,
    LYCHEE_PROPOSAL_DAY,
    PROVINCE_OF_DEMO,
    DemoLogin,
    Plan,
    add_months,
    build_plan,
    totp_key_base32,
)

DEMO_DEVICE_NAME = "demo"


# --- Loading into the database -----------------------------------------------------------
@dataclass
class DemoSummary:
    producers: int
    products: int
    certificates: int
    users: int
    created: dict[str, int]
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS
    password: str = DEMO_PASSWORD
    totp_key_hex: str = DEMO_TOTP_KEY
    totp_key_base32: str = field(default_factory=totp_key_base32)

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


class DemoDataError(RuntimeError):
    """The reference data the demo needs (units, taxonomy) is missing."""


def _units(plan: Plan) -> tuple[dict[tuple[str, str], Any], dict[str, Any], Any]:
    """Legacy communes by (district, name), present-day communes of Bắc Ninh by name, and Bắc Ninh."""
    from ocop.geo.models import AdminUnit

    bac_ninh = AdminUnit.objects.current().provinces().filter(name=PROVINCE_OF_DEMO).first()
    if bac_ninh is None:
        raise DemoDataError("administrative units are not loaded: run `manage.py load_reference` first")
    legacy = {
        (u.parent.name, u.name): u
        for u in AdminUnit.objects.legacy()
        .communes()
        .filter(province__name="Bắc Giang", province__level="province")
        .select_related("parent")
    }
    current = {u.name: u for u in AdminUnit.objects.current().communes().filter(province=bac_ninh)}
    for producer in plan.producers:
        if producer.district and (producer.district, producer.commune) not in legacy:
            raise DemoDataError(f"legacy commune not found: {producer.commune}, {producer.district}")
        if producer.current_commune not in current:
            raise DemoDataError(f"present-day commune not found in Bắc Ninh: {producer.current_commune}")
    return legacy, current, bac_ninh


def _audit(model_rows: list[Any]) -> None:
    if model_rows:
        from ocop.audit.log import record_bulk
        from ocop.audit.models import Action

        record_bulk(Action.CREATE, model_rows, note="demo data set")


# ocop/<app>/demo.py modules with `load(*, created: dict[str, int], today: date) -> None`, run in this order
# inside the demo's transaction after the registry, certificates, users and evidence exist; idempotent like the rest.
DEMO_EXTENSIONS = ("catalogue", "trade", "stats", "search")


def load(stdout: TextIO | None = None, *, today: dt.date | None = None) -> DemoSummary:
    """Load the demo into the database; missing rows are created, existing rows are left as they are."""
    from ocop.audit.log import acting_as

    today = today or timezone.localdate()
    plan = build_plan()
    created: dict[str, int] = {}
    with transaction.atomic(), acting_as(None):
        legacy, current, bac_ninh = _units(plan)
        producers = _load_producers(plan, legacy, current, bac_ninh, created)
        codes, serials = _product_codes(plan, current)
        products = _load_products(plan, producers, codes, created)
        _load_code_serials(serials, current)
        _load_certificates(plan, products, created, today)
        users = _load_users(producers, current, bac_ninh, created)
        _load_evidence(producers, products, users, created, today)
        # Apps that add to the demo (shop links, inquiries, trade fairs…) keep their part next to their code.
        for app in DEMO_EXTENSIONS:
            importlib.import_module(f"ocop.{app}.demo").load(created=created, today=today)
    from ocop.accounts.models import User
    from ocop.certificates.models import Certificate
    from ocop.registry.models import Producer, Product

    demo_names = [p.name for p in plan.producers]
    summary = DemoSummary(
        producers=Producer.objects.filter(name__in=demo_names).count(),
        products=Product.objects.filter(producer__name__in=demo_names).count(),
        certificates=Certificate.objects.filter(source="demo").count(),
        users=User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).count(),
        created=created,
    )
    if stdout is not None:
        write_summary(summary, stdout)
    return summary


def _load_producers(plan: Plan, legacy, current, bac_ninh, created: dict[str, int]) -> dict[str, Any]:
    from ocop.lib.text import fold
    from ocop.registry.models import Producer

    verified_at = dt.datetime(2025, 9, 15, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    existing = {p.name: p for p in Producer.objects.filter(name__in=[p.name for p in plan.producers])}
    new = []
    for spec in plan.producers:
        if spec.name in existing:
            continue
        commune = legacy[(spec.district, spec.commune)] if spec.district else current[spec.commune]
        new.append(
            Producer(
                name=spec.name,
                kind=spec.kind,
                tax_code=spec.tax_code,
                registration_number=spec.registration_number,
                founded_on=spec.founded_on,
                commune=commune,
                current_commune=current[spec.current_commune],
                # What Producer.save() would set; bulk_create does not call it.
                province=bac_ninh,
                folded_name=fold(spec.name),
                street=spec.street,
                phone=spec.phone,
                members_count=spec.members_count,
                workers_count=spec.workers_count,
                rep_name=spec.rep_name,
                rep_position=spec.rep_position,
                rep_gender=spec.rep_gender,
                rep_ethnicity=spec.rep_ethnicity,
                rep_id_number=spec.rep_id_number,
                status=spec.status,
                verified_at=verified_at if spec.status == "verified" else None,
            )
        )
    Producer.objects.bulk_create(new)
    _audit(new)
    created["producers"] = len(new)
    return {p.name: p for p in Producer.objects.filter(name__in=[p.name for p in plan.producers])}


def _load_products(
    plan: Plan, producers: dict[str, Any], codes: dict[tuple[str, str], str], created: dict[str, int]
) -> dict[tuple[str, str], Any]:
    from ocop.lib.text import fold
    from ocop.registry.models import Product, ProductSet

    sets = {s.number: s for s in ProductSet.objects.filter(group__category__rulebook="qd-26-2026")}
    if len(sets) != 26:
        raise DemoDataError("the product taxonomy is not loaded: run `manage.py load_reference` first")
    ids = [p.pk for p in producers.values()]
    existing = {(p.producer_id, p.name): p for p in Product.objects.filter(producer_id__in=ids)}
    # A code already taken (by a product an office coded since) is left off.
    taken = set(Product.objects.filter(code__in=codes.values()).values_list("code", flat=True))
    new = []
    for producer_spec, spec in plan.products():
        producer = producers[producer_spec.name]
        if (producer.pk, spec.name) in existing:
            continue
        code = codes.get((producer_spec.name, spec.name))
        new.append(
            Product(
                producer=producer,
                name=spec.name,
                code=code if code not in taken else None,
                product_set=sets[spec.set_number],
                description=spec.description,
                story=spec.story,
                status=spec.status,
                province_id=producer.province_id,
                current_commune_id=producer.current_commune_id,
                folded_name=fold(spec.name),
            )
        )
    Product.objects.bulk_create(new)
    _audit(new)
    created["products"] = len(new)
    names = {p.pk: name for name, p in producers.items()}
    return {(names[p.producer_id], p.name): p for p in Product.objects.filter(producer_id__in=ids)}


def _load_certificates(plan: Plan, products: dict[tuple[str, str], Any], created: dict[str, int], today) -> None:
    from ocop.certificates.models import Certificate, CertificateSource, Proposal

    existing = set(Certificate.objects.filter(source=CertificateSource.DEMO).values_list("number", flat=True))
    new = []
    for producer_spec, spec in plan.products():
        product = products[(producer_spec.name, spec.name)]
        for cert in spec.certificates:
            # LAST_ISSUE_DAY already keeps the data in the past; this guards a
            # machine whose clock is behind it.
            if cert.number in existing or cert.issued_on > today:
                continue
            new.append(
                Certificate(
                    product=product,
                    star=cert.star,
                    score=cert.score,
                    number=cert.number,
                    decision_number=cert.decision_number,
                    decision_date=cert.issued_on,
                    issuing_body=cert.issuing_body,
                    issued_on=cert.issued_on,
                    expires_on=cert.expires_on,
                    rulebook=cert.rulebook,
                    source=CertificateSource.DEMO,
                )
            )
        if spec.proposal_star:
            _, made = Proposal.objects.get_or_create(
                product=product,
                star=spec.proposal_star,
                proposed_on=LYCHEE_PROPOSAL_DAY,
                defaults={
                    "proposed_by": "Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Bắc Giang",
                    "note": "Đề nghị Trung ương đánh giá, phân hạng sản phẩm OCOP 5 sao.",
                },
            )
            created["proposals"] = created.get("proposals", 0) + int(made)
    Certificate.objects.bulk_create(new, batch_size=500)
    _audit(new)
    created["certificates"] = len(new)


def _product_codes(
    plan: Plan, current: dict[str, Any]
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, int], int]]:
    """OCOP product codes `(T)-(X)-(STT)-(year)`, numbered per present-day commune and year of first recognition.

    Codes are given as the registry numbers them today (present-day commune);
    the commune's serial counter is raised to match so later codes do not
    collide. Returns the code of each (producer, product) and the last serial
    used per (commune name, year).
    """
    from ocop.registry.actions import format_product_code

    firsts = [
        (spec.certificates[0].issued_on, index, producer_spec, spec)
        for index, (producer_spec, spec) in enumerate(plan.products())
        if spec.certificates
    ]
    firsts.sort(key=lambda row: (row[0], row[1]))
    serials: dict[tuple[str, int], int] = {}
    codes: dict[tuple[str, str], str] = {}
    for day, _index, producer_spec, spec in firsts:
        commune = current[producer_spec.current_commune]
        key = (commune.name, day.year)
        serials[key] = serials.get(key, 0) + 1
        codes[(producer_spec.name, spec.name)] = format_product_code(
            commune.province.code, commune.code, serials[key], day.year
        )
    return codes, serials


def _load_code_serials(serials: dict[tuple[str, int], int], current: dict[str, Any]) -> None:
    from ocop.registry.models import ProductCodeSerial

    rows = {(s.commune_id, s.year): s for s in ProductCodeSerial.objects.filter(commune__in=current.values())}
    for (commune_name, year), last in serials.items():
        commune = current[commune_name]
        row = rows.get((commune.pk, year))
        if row is None:
            ProductCodeSerial.objects.create(commune=commune, year=year, last_serial=last)
        elif row.last_serial < last:
            row.last_serial = last
            row.save(update_fields=["last_serial"])


def _load_users(producers: dict[str, Any], current, bac_ninh, created: dict[str, int]) -> dict[str, Any]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ocop.accounts.models import User

    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])}
    made = 0
    for login in DEMO_LOGINS:
        user = existing.get(login.username)
        if user is None:
            user = User(
                username=login.username,
                role=login.role,
                full_name=login.full_name,
                email=f"{login.username}@example.org",
                province=bac_ninh if login.province else None,
                commune=current[login.commune] if login.commune else None,
                producer=producers[login.producer] if login.producer else None,
            )
            user.set_password(DEMO_PASSWORD)
            user.full_clean(exclude=["password"])
            user.save()
            existing[login.username] = user
            made += 1
        if user.needs_second_factor:
            TOTPDevice.objects.get_or_create(
                user=user, name=DEMO_DEVICE_NAME, defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
    created["users"] = made
    return existing


def _load_evidence(producers, products, users, created: dict[str, int], today: dt.date) -> None:
    from django.core.files.base import ContentFile

    from ocop.demo.pdf import simple_pdf
    from ocop.registry.models import Evidence

    hong_xuan = producers[LYCHEE_PRODUCER]
    dong_tam = producers[CHICKEN_PRODUCER]
    lychee = products[(LYCHEE_PRODUCER, "Vải thiều Lục Ngạn")]
    chicken = products[(CHICKEN_PRODUCER, "Gà đồi Yên Thế")]
    # Expiry dates follow the day of the first load so that one document is
    # always "expiring soon" when the demo is shown.
    documents = [
        (
            hong_xuan,
            "business_registration",
            "Giấy chứng nhận đăng ký hợp tác xã",
            "Phòng Tài chính - Kế hoạch huyện Lục Ngạn",
            dt.date(2016, 3, 15),
            None,
            [lychee],
            "demo_hongxuan",
        ),
        (
            hong_xuan,
            "quality_management",
            "Giấy chứng nhận VietGAP vải thiều",
            "Trung tâm Chứng nhận VietGAP (demo)",
            add_months(today + dt.timedelta(days=30), -36),
            today + dt.timedelta(days=30),
            [lychee],
            "demo_hongxuan",
        ),
        (
            hong_xuan,
            "test_report",
            "Phiếu kết quả thử nghiệm dư lượng thuốc bảo vệ thực vật",
            "Phòng thử nghiệm (demo)",
            today - dt.timedelta(days=400),
            today - dt.timedelta(days=35),
            [lychee],
            "demo_hongxuan",
        ),
        (
            dong_tam,
            "food_safety",
            "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "Sở Nông nghiệp và Môi trường tỉnh Bắc Ninh",
            dt.date(2025, 10, 6),
            dt.date(2028, 10, 6),
            [chicken],
            "demo_dongtam",
        ),
    ]
    existing = set(Evidence.objects.filter(producer__in=[hong_xuan, dong_tam]).values_list("producer_id", "title"))
    made = 0
    for producer, doc_type, title, issuer, issued, expires, linked, username in documents:
        if (producer.pk, title) in existing:
            continue
        content = simple_pdf(
            ["OCOP demo document - not a real certificate", _ascii(title), _ascii(producer.name), f"Issued: {issued}"]
        )
        evidence = Evidence(
            producer=producer,
            doc_type=doc_type,
            title=title,
            issuer=issuer,
            number=f"DEMO-{hashlib.sha256(title.encode()).hexdigest()[:6].upper()}",
            issued_on=issued,
            expires_on=expires,
            original_name=f"{doc_type}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=users.get(username),
        )
        evidence.file.save(f"{doc_type}.pdf", ContentFile(content), save=False)
        evidence.save()
        evidence.products.set(linked)
        made += 1
    created["evidence"] = made


def _ascii(text: str) -> str:
    from ocop.lib.text import fold

    # fold() lower-cases; keep the first letter of each word upper-case for reading.
    return " ".join(word.capitalize() for word in fold(text).split())


# --- Output -----------------------------------------------------------------------------------
def logins_table(logins: Iterable[DemoLogin] = DEMO_LOGINS) -> str:
    rows = [("username", "role", "name", "scope", "2nd factor")]
    for login in logins:
        second = "TOTP" if login.role != "producer" else "-"
        rows.append((login.username, login.role, login.full_name, login.scope, second))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"Password (all demo accounts, DEMO ONLY): {DEMO_PASSWORD}")
    lines.append(f"TOTP secret for staff accounts (base32, for an authenticator app): {totp_key_base32()}")
    lines.append(f"  same key in hex: {DEMO_TOTP_KEY}")
    lines.append("  or print the current code: OCOP_DEMO=true .venv/bin/python manage.py totp_code USERNAME")
    return "\n".join(lines)


def write_summary(summary: DemoSummary, out: TextIO) -> None:
    made = ", ".join(f"{k} {v}" for k, v in sorted(summary.created.items()))
    out.write(
        f"Demo data: {summary.producers} producers, {summary.products} products, "
        f"{summary.certificates} certificates, {summary.users} demo accounts (created now: {made}).\n\n"
    )
    out.write(logins_table(summary.logins) + "\n")
