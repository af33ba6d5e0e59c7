"""The national test data set generator (ocop.stats.national) at a small scale: shape, validity, determinism, guard."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum

from ocop.certificates.models import Certificate, Proposal, Revocation
from ocop.councils.models import Decision, Evaluation, Round, ScoreEntry, Scoring
from ocop.evaluation.models import Dossier, DossierStatus
from ocop.geo.models import AdminUnit
from ocop.registry.models import Producer, ProducerKind, Product, ProductCodeSerial
from ocop.registry.validators import validate_gtin, validate_tax_code
from ocop.rules.rulebooks import current_rulebook
from ocop.stats.national import MARK, NationalDataError, Scale, generate, registry_rows

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
SMALL = Scale(producers=150, products=300, dossiers=900, scores=20_000, years=5, seed=7)


def _fingerprint() -> tuple:
    """What a run produced, by natural keys (primary keys may differ between runs on PostgreSQL)."""
    products = sorted(
        Product.objects.values_list("producer__registration_number", "name", "code", "gtin", "status", "product_set"),
        key=repr,
    )
    certificates = sorted(
        Certificate.objects.values_list(
            "product__producer__registration_number", "product__name", "star", "issued_on", "revoked_on", "score"
        ),
        key=repr,
    )
    dossiers = sorted(Counter(Dossier.objects.values_list("province__code", "status", "kind")).items())
    scores = ScoreEntry.objects.aggregate(total=Sum("points"))["total"]
    return products, certificates, dossiers, scores


def test_small_national_set_has_the_shape_asked_for() -> None:
    summary = generate(SMALL, today=TODAY)

    assert Producer.objects.count() == SMALL.producers
    assert Product.objects.count() == SMALL.products
    assert Dossier.objects.count() == SMALL.dossiers
    assert ScoreEntry.objects.count() == SMALL.scores
    assert summary.counts["score entries"] == SMALL.scores
    # Every one of the 34 present-day provinces has producers and products.
    provinces = set(AdminUnit.objects.current().provinces().values_list("pk", flat=True))
    assert len(provinces) == 34
    assert set(Producer.objects.values_list("province", flat=True)) == provinces
    assert set(Product.objects.values_list("province", flat=True)) == provinces
    # Every kind of producer; some registered under a legacy commune with the present-day commune set.
    assert set(Producer.objects.values_list("kind", flat=True)) == set(ProducerKind.values)
    legacy = Producer.objects.filter(commune__map="legacy")
    assert legacy.exists() and not legacy.filter(current_commune__isnull=True).exists()
    assert not legacy.exclude(commune__successor_province=F("province")).exists()
    assert not Producer.objects.exclude(current_commune__province=F("province")).exists()
    assert not Product.objects.exclude(province=F("producer__province")).exists()
    # Dossiers at every stage, some past their commune deadline.
    assert set(Dossier.objects.values_list("status", flat=True)) == set(DossierStatus.values)
    assert Dossier.objects.filter(status="submitted", commune_deadline__lt=TODAY).exists()
    assert Dossier.objects.filter(kind="reevaluation", status="recognised").exists()
    # Certificates in every status on the day, issued over the years of history.
    for status in ("valid", "expiring", "extended", "expired", "revoked"):
        assert Certificate.objects.with_status(status, TODAY).exists(), status
    years = set(Certificate.objects.values_list("issued_on__year", flat=True))
    assert years <= set(range(TODAY.year - 4, TODAY.year + 1)) and len(years) >= 4
    assert set(Certificate.objects.values_list("star", flat=True)) == {3, 4, 5}
    assert Revocation.objects.count() == Certificate.objects.filter(revoked_on__isnull=False).count() > 0
    assert Proposal.objects.filter(star=5).exists()
    assert Dossier.objects.filter(status="proposed_central").exists()
    # Two provincial rounds a year per province, plus the central rounds.
    assert Round.objects.filter(level="province").count() == 34 * 2 * SMALL.years
    assert Round.objects.filter(level="central").count() == 2 * SMALL.years
    assert Decision.objects.exists()
    assert set(Evaluation.objects.values_list("outcome", flat=True)) >= {
        "recognised",
        "not_recognised",
        "proposed_central",
        "awaiting_decision",
    }


def test_generated_rows_are_valid() -> None:
    generate(SMALL, today=TODAY)

    codes = list(Product.objects.exclude(code=None).values_list("code", flat=True))
    assert codes and len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{2}-\d{5}-\d{3,}-\d{4}", code) for code in codes)
    # The communes' code serials were raised past the codes given.
    serial = ProductCodeSerial.objects.order_by("-last_serial").first()
    assert serial is not None and serial.last_serial >= 1
    for gtin in Product.objects.exclude(gtin="").values_list("gtin", flat=True):
        validate_gtin(gtin)
    for tax_code in Producer.objects.exclude(tax_code="").values_list("tax_code", flat=True):
        validate_tax_code(tax_code)
    # Model validation of a sample of every main table.
    for model in (Producer, Product, Certificate, Dossier, Evaluation):
        for row in model.objects.all()[:60]:
            row.full_clean(validate_unique=False, validate_constraints=True)
    # A recognised product has its code; the product of each certificate is in force when issued.
    assert not Product.objects.filter(certificates__isnull=False, code=None).exists()
    # Each member's total is the sum of their criterion scores, chosen on the product's sheet.
    sums = dict(ScoreEntry.objects.values_list("scoring").annotate(s=Sum("points")).values_list("scoring", "s"))
    totals = dict(Scoring.objects.values_list("pk", "total"))
    assert sums and set(sums) == set(totals)
    assert all(sums[pk] == total for pk, total in totals.items())
    rulebook = current_rulebook()
    scoring = Scoring.objects.select_related("evaluation").first()
    sheet = rulebook.sheet(scoring.evaluation.sheet)
    codes_on_sheet = {c.code for c in sheet.criteria}
    assert set(scoring.entries.values_list("criterion", flat=True)) <= codes_on_sheet
    # A closed evaluation's star is the band of its average; the certificate carries that score.
    for evaluation in Evaluation.objects.filter(status="closed", scorings__isnull=False).distinct()[:50]:
        assert rulebook.band_for(evaluation.average) == evaluation.final_star
    for cert in Certificate.objects.all()[:200]:
        assert rulebook.band_for(cert.score) == cert.star
    # Scored evaluations have all five scorers; totals per member are whole points.
    per_eval = Counter(Scoring.objects.filter(evaluation__status="closed").values_list("evaluation", flat=True))
    assert set(per_eval.values()) == {5}
    # The explicit keys left the sequences right: the next ordinary insert works (PostgreSQL).
    producer = Producer.objects.first()
    Producer.objects.create(name="Một chủ thể mới", kind="cooperative", commune=producer.commune)
    assert ScoreEntry.objects.filter(points__lt=Decimal(0)).count() == 0


def test_same_seed_same_data_other_seed_other_data() -> None:
    with transaction.atomic():
        generate(SMALL, today=TODAY)
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not Producer.objects.exists()
    with transaction.atomic():
        generate(SMALL, today=TODAY)
        again = _fingerprint()
        transaction.set_rollback(True)
    generate(Scale(**{**SMALL.__dict__, "seed": 8}), today=TODAY)
    other = _fingerprint()
    assert first == again
    assert first[0] != other[0] and first[1] != other[1]


def test_counts_follow_the_scale() -> None:
    scale = Scale(producers=60, products=100, dossiers=250, scores=4_000, years=3, seed=1)
    generate(scale, today=TODAY)
    assert (Producer.objects.count(), Product.objects.count(), Dossier.objects.count()) == (60, 100, 250)
    assert ScoreEntry.objects.count() == 4_000
    assert set(Certificate.objects.values_list("issued_on__year", flat=True)) <= {2024, 2025, 2026}
    assert Producer.objects.values("province").distinct().count() == 34
    # Every producer makes at least one product.
    assert not Producer.objects.annotate(n=Count("products")).filter(n=0).exists()


def test_refuses_a_database_with_real_data(world) -> None:
    with pytest.raises(NationalDataError, match="did not write"):
        generate(SMALL, today=TODAY)
    assert registry_rows()["producers"] == (0, Producer.objects.count())
    with pytest.raises(CommandError, match="did not write"):
        call_command("generate_national", "--producers=10", "--products=20", "--dossiers=30", stdout=StringIO())
    assert not Producer.objects.filter(registration_number__startswith=MARK).exists()


def test_force_writes_next_to_other_data(world) -> None:
    before = Producer.objects.count()
    generate(Scale(producers=40, products=60, dossiers=120, scores=1_000, seed=3), today=TODAY, force=True)
    assert Producer.objects.count() == before + 40
    assert Producer.objects.filter(registration_number__startswith=MARK).count() == 40


def test_refuses_to_run_twice_and_in_production(settings) -> None:
    generate(Scale(producers=40, products=60, dossiers=120, scores=1_000, seed=3), today=TODAY)
    with pytest.raises(NationalDataError, match="already holds a generated"):
        generate(Scale(producers=40, products=60, dossiers=120, scores=1_000, seed=3), today=TODAY)
    settings.PRODUCTION = True
    with pytest.raises(NationalDataError, match="OCOP_PRODUCTION"):
        generate(Scale(producers=40, products=60, dossiers=120, scores=1_000, seed=3), today=TODAY)


def test_command_prints_counts_and_times() -> None:
    out = StringIO()
    call_command(
        "generate_national",
        "--producers=40",
        "--products=60",
        "--dossiers=120",
        "--scores=1000",
        "--years=2",
        "--seed=5",
        stdout=out,
    )
    text = out.getvalue()
    assert re.search(r"producers\s+40\b", text)
    assert re.search(r"score entries\s+1,000\b", text)
    assert "total" in text
    with pytest.raises(CommandError, match="positive"):
        call_command("generate_national", "--products=0", stdout=StringIO())
