"""Fixed personas for tests: every access test checks allow and deny side by side.

The world: two present-day provinces (Bắc Ninh, Hà Nội); in Bắc Ninh the
commune Xã Lục Ngạn and a second commune; producers A (Lục Ngạn, verified),
B (other Bắc Ninh commune, verified) and C (Hà Nội, verified), and one
pending producer in Lục Ngạn. One user per role, plus a second provincial
officer in Hà Nội. Personas with a second-factor role get a confirmed TOTP
device whose secret is PERSONA_TOTP_KEY.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from ocop.accounts.models import Role, User
from ocop.geo.models import AdminUnit
from ocop.registry.models import Evidence, Producer, ProducerKind, ProducerStatus, Product, ProductSet, ProductStatus

PERSONA_PASSWORD = "persona-pass-2026!"
# 20 bytes, hex, as django-otp stores TOTP keys.
PERSONA_TOTP_KEY = "3132333435363738393031323334353637383930"


def unit(map_: str, level: str, name: str, province_code: str | None = None) -> AdminUnit:
    qs = AdminUnit.objects.filter(map=map_, level=level, name=name)
    if province_code is not None:
        qs = qs.filter(province__code=province_code)
    return qs.get()


@dataclass
class World:
    bac_ninh: AdminUnit
    ha_noi: AdminUnit
    luc_ngan: AdminUnit  # current commune Xã Lục Ngạn, Bắc Ninh
    other_commune: AdminUnit  # Phường Bắc Giang, Bắc Ninh
    hanoi_commune: AdminUnit
    producer_a: Producer
    producer_b: Producer
    producer_c: Producer
    producer_pending: Producer
    product_a: Product
    product_b: Product
    product_c: Product
    users: dict[str, User] = field(default_factory=dict)

    def user(self, persona: str) -> User:
        return self.users[persona]


PERSONAS = (
    "admin",
    "central",
    "province",
    "province_other",
    "commune",
    "council",
    "producer_a",
    "producer_b",
    "producer_pending",
)
ALL = (*PERSONAS, "anonymous")


def table(default: object, **overrides: object) -> dict[str, object]:
    """Expected answer for every persona (and "anonymous"): `default` unless overridden by name."""
    return {p: overrides.get(p, default) for p in ALL}


def _producer(name: str, commune: AdminUnit, tax_code: str, status: str = ProducerStatus.VERIFIED) -> Producer:
    return Producer.objects.create(
        name=name,
        kind=ProducerKind.COOPERATIVE,
        tax_code=tax_code,
        commune=commune,
        street="Thôn 1",
        phone="0912345678",
        email=f"{tax_code}@example.vn",
        rep_name="Nguyễn Văn Đại Diện",
        rep_id_number="024090001234",
        status=status,
    )


def build_world() -> World:
    bac_ninh = unit("current", "province", "Bắc Ninh")
    ha_noi = unit("current", "province", "Thành phố Hà Nội")
    luc_ngan = unit("current", "commune", "Xã Lục Ngạn", "24")
    other = unit("current", "commune", "Phường Bắc Giang", "24")
    hanoi_commune = unit("current", "commune", "Phường Hoàn Kiếm", "1")
    fruit = ProductSet.objects.get(number=1)
    pa = _producer("HTX Persona A", luc_ngan, "0100109106")
    pb = _producer("HTX Persona B", other, "0101245486")
    pc = _producer("HTX Persona C", hanoi_commune, "0100109106-001")
    pp = _producer("HTX Persona Pending", luc_ngan, "0100109106-002", status=ProducerStatus.PENDING)
    world = World(
        bac_ninh=bac_ninh,
        ha_noi=ha_noi,
        luc_ngan=luc_ngan,
        other_commune=other,
        hanoi_commune=hanoi_commune,
        producer_a=pa,
        producer_b=pb,
        producer_c=pc,
        producer_pending=pp,
        product_a=Product.objects.create(
            producer=pa, name="Vải thiều A", product_set=fruit, status=ProductStatus.ACTIVE
        ),
        product_b=Product.objects.create(producer=pb, name="Na dai B", product_set=fruit, status=ProductStatus.ACTIVE),
        product_c=Product.objects.create(producer=pc, name="Cam C", product_set=fruit, status=ProductStatus.ACTIVE),
    )
    specs: dict[str, dict[str, Any]] = {
        "admin": {"role": Role.ADMIN},
        "central": {"role": Role.CENTRAL},
        "province": {"role": Role.PROVINCE, "province": bac_ninh},
        "province_other": {"role": Role.PROVINCE, "province": ha_noi},
        "commune": {"role": Role.COMMUNE, "commune": luc_ngan},
        "council": {"role": Role.COUNCIL, "province": bac_ninh},
        "producer_a": {"role": Role.PRODUCER, "producer": pa},
        "producer_b": {"role": Role.PRODUCER, "producer": pb},
        "producer_pending": {"role": Role.PRODUCER, "producer": pp},
    }
    for name, spec in specs.items():
        user = User.objects.create_user(username=f"persona_{name}", password=PERSONA_PASSWORD, full_name=name, **spec)
        if user.needs_second_factor:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=user, name="persona", key=PERSONA_TOTP_KEY, confirmed=True)
        world.users[name] = user
    return world


def make_evidence(producer: Producer, title: str = "Giấy chứng nhận ATTP") -> Evidence:
    from django.core.files.base import ContentFile

    content = b"%PDF-1.4\n% persona evidence\n"
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    ev = Evidence(
        producer=producer,
        doc_type="food_safety",
        title=title,
        original_name="attp.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=digest,
    )
    ev.file.save("attp.pdf", ContentFile(content), save=False)
    ev.save()
    return ev


def login(client: Client, user: User | None) -> Client:
    """Log `user` in on `client`, with the second factor passed when their role needs one."""
    if user is None:
        return client
    client.force_login(user)
    if user.needs_second_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", key=PERSONA_TOTP_KEY, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
