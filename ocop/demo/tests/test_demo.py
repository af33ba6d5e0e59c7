"""The demo data set: the figures of the Bắc Giang workshop, the two maps, idempotence and determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from ocop.accounts.models import Role, User
from ocop.audit.models import AuditEvent
from ocop.certificates.models import Certificate, Proposal
from ocop.demo import loader, plan
from ocop.registry.models import Evidence, Producer, ProducerStatus, Product
from ocop.registry.validators import validate_tax_code

WORKSHOP = dt.date(2022, 11, 10)


@pytest.fixture
def demo(db):
    return loader.load()


def _checksum() -> str:
    names = [
        *Producer.objects.order_by("name").values_list("name", "tax_code", "commune__code", "current_commune__code"),
        *Product.objects.order_by("producer__name", "name").values_list("name", "code", "product_set__number"),
        *Certificate.objects.order_by("number").values_list("number", "star", "issued_on", "expires_on", "score"),
    ]
    return hashlib.sha256(repr(names).encode()).hexdigest()


def test_workshop_figures_180_products_138_at_3_and_42_at_4_stars(demo):
    valid = Certificate.objects.valid_on(WORKSHOP).filter(source="demo")
    assert valid.values("product").distinct().count() == 180
    assert valid.filter(star=3).count() == 138
    assert valid.filter(star=4).count() == 42
    assert not valid.exclude(star__in=(3, 4)).exists()
    # Every one of them was issued under the rulebook of the time, from Dec 2019.
    assert set(valid.values_list("rulebook", flat=True)) == {"qd-1048-2019"}
    assert min(valid.values_list("issued_on", flat=True)) >= dt.date(2019, 12, 1)
    assert demo.products == 185  # the 180, two drafts of the demo producers, three of pending producers


def test_lychee_of_hong_xuan_proposed_for_5_stars_in_2022_and_recognised_in_2024(demo):
    lychee = Product.objects.get(name="Vải thiều Lục Ngạn")
    assert lychee.producer.name == "HTX Nông nghiệp Hồng Xuân"
    assert lychee.product_set.number == 1
    proposal = Proposal.objects.get(product=lychee)
    assert (proposal.star, proposal.proposed_on.year) == (5, 2022)
    four = Certificate.objects.valid_on(WORKSHOP).get(product=lychee)
    assert (four.star, four.score) == (4, Decimal("88.00"))
    five = Certificate.objects.get(star=5)
    assert five.product == lychee
    assert five.issued_on.year == 2024 and five.score >= 90
    assert five.issuing_body == plan.MINISTRY
    assert lychee.story and lychee.description


def test_named_products_sit_in_their_product_sets(demo):
    sets = dict(Product.objects.values_list("name", "product_set__number"))
    assert sets["Gà đồi Yên Thế"] == 2
    assert sets["Na dai Lục Nam"] == 1
    assert sets["Chè Yên Thế"] == 11
    assert sets["Mỳ Chũ"] == 6
    assert sets["Du lịch sinh thái, văn hóa bản Ven"] == 26


def test_producers_keep_their_legacy_bac_giang_commune_and_a_present_day_bac_ninh_commune(demo):
    producers = Producer.objects.select_related("commune__province", "current_commune__province", "province")
    legacy = [p for p in producers if not p.commune.is_current]
    assert len(legacy) == demo.producers - 3
    for producer in legacy:
        assert producer.commune.province.name == "Bắc Giang", producer.name
        assert producer.commune.level == "commune"
        assert producer.current_commune.is_current, producer.name
        assert producer.current_commune.province.name == "Bắc Ninh", producer.name
        assert producer.province.name == "Bắc Ninh"
    # Thị xã Chũ exists on the legacy map: the lychee was recorded under it.
    hong_xuan = Producer.objects.get(name="HTX Nông nghiệp Hồng Xuân")
    assert (hong_xuan.commune.name, hong_xuan.commune.parent.name) == ("Phường Hồng Giang", "Thị xã Chũ")
    assert hong_xuan.current_commune.name == "Phường Chũ"
    # Registered after the merger, on the present-day map, waiting for the commune.
    pending = Producer.objects.filter(status=ProducerStatus.PENDING)
    assert pending.count() == 3
    assert {p.current_commune.name for p in pending} == {"Xã Lục Ngạn"}


def test_tax_codes_are_valid_and_unique(demo):
    codes = [c for c in Producer.objects.values_list("tax_code", flat=True) if c]
    assert len(codes) > 100
    assert len(codes) == len(set(codes))
    for code in codes:
        validate_tax_code(code)


def test_certificates_are_consistent_and_none_is_issued_after_today(demo):
    today = timezone.localdate()
    certs = list(Certificate.objects.filter(source="demo"))
    assert not [c for c in certs if c.issued_on > today]
    bands = {3: (50, 70), 4: (70, 90), 5: (90, 100)}
    for cert in certs:
        low, high = bands[cert.star]
        assert low <= cert.score < high, cert.number
        assert cert.expires_on == plan.add_months(cert.issued_on, 36)
        assert cert.rulebook == plan.rulebook_on(cert.issued_on)
        assert cert.issued_on.weekday() < 5
    assert len({c.number for c in certs}) == len(certs)


def test_the_programme_is_alive_today(demo):
    today = timezone.localdate()
    alive = Certificate.objects.valid_on(today).values("product").distinct().count()
    # About 60 % were re-evaluated; the rest let their certificates expire.
    assert 90 <= alive <= 115
    reevaluated = Certificate.objects.filter(issued_on__gte=dt.date(2023, 1, 1), star__in=(3, 4))
    assert reevaluated.exists()
    upgraded = [
        p
        for p in Product.objects.all()
        if list(p.certificates.order_by("issued_on").values_list("star", flat=True))[:2] == [3, 4]
    ]
    assert upgraded, "some products were upgraded from 3 to 4 stars on re-evaluation"
    # Bắc Ninh recognises since the merger; district committees recognised 3★ in 2023–2025.
    assert Certificate.objects.filter(issuing_body="UBND tỉnh Bắc Ninh", issued_on__gte=plan.MERGER_DAY).exists()
    assert Certificate.objects.filter(issuing_body__startswith="UBND huyện", star=3).exists()


def test_load_is_idempotent(demo):
    before = (_checksum(), AuditEvent.objects.count(), Evidence.objects.count(), User.objects.count())
    again = loader.load()
    assert not again.created_anything
    assert (_checksum(), AuditEvent.objects.count(), Evidence.objects.count(), User.objects.count()) == before
    assert (again.producers, again.products, again.certificates) == (demo.producers, demo.products, demo.certificates)


def test_plan_is_deterministic(demo):
    assert plan.build_plan() == plan.build_plan()
    # What is in the database is the plan, row for row.
    demo_plan = plan.build_plan()
    planned = sorted(c.number for _, product in demo_plan.products() for c in product.certificates)
    assert planned == sorted(Certificate.objects.values_list("number", flat=True))
    assert sorted(p.name for p in demo_plan.producers) == sorted(Producer.objects.values_list("name", flat=True))


def test_bulk_rows_are_audited_and_the_chain_verifies(demo):
    from ocop.audit.log import verify_chain

    assert AuditEvent.objects.filter(model="registry.Producer").count() == demo.producers
    assert AuditEvent.objects.filter(model="certificates.Certificate").count() == demo.certificates
    assert verify_chain().ok


def test_demo_accounts_one_per_role_with_second_factor_for_staff(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    assert {u.role for u in users.values()} == set(Role.values)
    assert users["demo_bacninh"].province.name == "Bắc Ninh"
    assert users["demo_lucngan"].commune.name == "Xã Lục Ngạn"
    assert users["demo_council"].province.name == "Bắc Ninh"
    assert users["demo_hongxuan"].producer.name == "HTX Nông nghiệp Hồng Xuân"
    assert users["demo_dongtam"].producer.name != users["demo_hongxuan"].producer.name
    for user in users.values():
        assert user.check_password(plan.DEMO_PASSWORD)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if user.needs_second_factor:
            assert device is not None and device.key == plan.DEMO_TOTP_KEY
        else:
            assert device is None
    assert plan.totp_key_base32() == "J5BU6UBAMRSW23ZAKRHVIUBANNSXSIJB"


def test_hong_xuan_has_evidence_one_expiring_soon(demo):
    docs = {e.doc_type: e for e in Evidence.objects.filter(producer__name="HTX Nông nghiệp Hồng Xuân")}
    assert docs["quality_management"].is_expiring and not docs["quality_management"].is_expired
    assert docs["test_report"].is_expired
    for doc in docs.values():
        data = doc.file.read()
        assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size


def test_commands_print_logins_and_refuse_production(db, settings):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "demo_lucngan" in out.getvalue() and "Not in the database yet" in out.getvalue()
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="OCOP_PRODUCTION"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Producer.objects.exists()
    out = io.StringIO()
    call_command("load_demo", "--force", stdout=out)
    text = out.getvalue()
    assert "185 products" in text
    assert plan.DEMO_PASSWORD in text and plan.totp_key_base32() in text
    assert "demo_hongxuan" in text


def test_plan_is_the_same_in_every_process():
    """No dependence on hash randomisation or anything else that varies between runs."""
    import subprocess
    import sys

    code = (
        "import hashlib; from ocop.demo.plan import build_plan; "
        "print(hashlib.sha256(repr(build_plan()).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "ocop.settings"}
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=settings.BASE_DIR
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1
    assert digests == {hashlib.sha256(repr(plan.build_plan()).encode()).hexdigest()}
