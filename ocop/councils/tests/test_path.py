"""The whole provincial path, through the pages: forwarded dossier → round → council → scores → decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from ocop.certificates.models import Certificate
from ocop.councils.forms import COMMENT_PREFIX, NONE_APPLIES, SCORE_PREFIX
from ocop.councils.models import (
    ConflictDeclaration,
    Decision,
    Evaluation,
    EvaluationStatus,
    Outcome,
    Round,
    ScoreEntry,
    Scoring,
)
from ocop.councils.tests.util import client_of, council_user, forwarded, lowered
from ocop.evaluation.models import DossierStatus
from ocop.lib import clock
from ocop.rules.rulebooks import get_rulebook


def _post_scoring(choices, comments=None, **extra):
    data = {f"{SCORE_PREFIX}{code}": option or NONE_APPLIES for code, option in choices.items()}
    data.update({f"{COMMENT_PREFIX}{code}": text for code, text in (comments or {}).items()})
    data.update(extra)
    return data


def test_the_province_path_from_forwarded_dossier_to_certificate(world, client_for):
    from ocop.audit.models import AuditEvent
    from ocop.notifications.models import Notification

    dossier = forwarded(world)
    office = client_for("province")
    today = clock.today()

    # The office sets up an extra round (the regular ones depend on today's date) …
    response = office.post(
        reverse("councils:round_create"),
        {
            "year": today.year,
            "number": 3,
            "proposals_by": (today + dt.timedelta(days=10)).isoformat(),
            "ends_on": (today + dt.timedelta(days=40)).isoformat(),
            "plan_reference": "Kế hoạch 12/KH-UBND",
        },
    )
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("councils:council_edit", args=[round_.pk])
    assert round_.level == "province" and round_.province == world.bac_ninh and round_.council is not None

    # … composes a council of five (the chair and four members) with itself as secretary …
    chair = world.user("council")
    others = [council_user(world, f"m{i}") for i in range(1, 5)]
    response = office.post(
        reverse("councils:council_edit", args=[round_.pk]),
        {
            "established_by": "1234/QĐ-UBND",
            "chair": chair.pk,
            "secretary": world.user("province").pk,
            "members": [u.pk for u in others],
        },
    )
    assert response.status_code == 302
    assert round_.council.members.count() == 6

    # … and adds the forwarded dossier, which the page shows as complete.
    page = office.get(round_.get_absolute_url())
    assert str(dossier) in page.content.decode()
    response = office.post(reverse("councils:round_add", args=[round_.pk]), {"dossiers": [dossier.pk]})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW
    assert Notification.objects.filter(kind="council.dossiers_added", user=others[0]).exists()

    # The advisory work is recorded.
    response = office.post(
        reverse("councils:note_add", args=[evaluation.pk]),
        {"kind": "site_visit", "happened_on": today.isoformat(), "body": "Khảo sát vùng trồng 40 ha."},
    )
    assert response.status_code == 302 and evaluation.notes.count() == 1

    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    score_url = reverse("councils:score", args=[evaluation.pk])
    declare_url = reverse("councils:declare", args=[evaluation.pk])
    # Four members score within 10 points of each other (85, 84, 83, 86) …
    for user, lost in zip([chair, *others[:3]], (15, 16, 17, 14), strict=True):
        client = client_of(user)
        assert client.post(declare_url, {"has_conflict": "no"}).status_code == 302
        response = client.post(score_url, _post_scoring(lowered(sheet, lost), {"1.1": "Nguồn gốc rõ ràng"}))
        assert response.status_code == 302, response.content.decode()
    assert [s.total for s in Scoring.objects.order_by("pk")] == [Decimal(85), Decimal(84), Decimal(83), Decimal(86)]
    assert ScoreEntry.objects.filter(comment="Nguồn gốc rõ ràng").count() == 4
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COUNCIL

    # … the fifth scores 70: 16 points from the highest, so the result is blocked and the chair cannot close.
    fifth = client_of(others[3])
    fifth.post(declare_url, {"has_conflict": "no"})
    assert fifth.post(score_url, _post_scoring(lowered(sheet, 30))).status_code == 302
    detail = client_of(chair).get(evaluation.get_absolute_url()).content.decode()
    assert "16" in detail and 'class="low"' in detail  # the disagreement is highlighted
    response = client_of(chair).post(reverse("councils:close", args=[evaluation.pk]))
    assert response.status_code == 200
    assert "16" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORING and evaluation.final_star is None

    # The council discusses; the fifth member corrects the scoring with a reason (the old one is kept).
    correct_url = reverse("councils:correct", args=[evaluation.pk])
    response = fifth.post(
        correct_url, _post_scoring(lowered(sheet, 18), reason="Thống nhất sau thảo luận tiêu chí 4.2")
    )
    assert response.status_code == 302
    assert Scoring.objects.filter(member__user=others[3]).count() == 2
    assert Scoring.objects.get(member__user=others[3], is_current=True).total == Decimal(82)

    # Only the chair closes; then the result is the mean (84) → 4★, with its reasons.
    assert client_of(others[0]).post(reverse("councils:close", args=[evaluation.pk])).status_code == 403
    response = client_of(chair).post(reverse("councils:close", args=[evaluation.pk]))
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.CLOSED
    assert evaluation.average == Decimal("84.00") and evaluation.band_star == 4 and evaluation.final_star == 4
    assert evaluation.outcome == Outcome.AWAITING_DECISION and evaluation.closed_by == chair
    page = office.get(evaluation.get_absolute_url()).content.decode()
    assert "84" in page and "4★" in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SCORED

    # Closed means immutable: no correction, no new scoring.
    response = fifth.post(correct_url, _post_scoring(lowered(sheet, 0), reason="Muộn"))
    assert response.status_code == 200
    assert Scoring.objects.filter(member__user=others[3]).count() == 2

    # The chairman's decision issues the certificate, valid 36 months.
    response = office.post(
        reverse("councils:decide", args=[evaluation.pk]),
        {"number": "2345/QĐ-UBND", "date": today.isoformat(), "signer": "Chủ tịch UBND tỉnh Bắc Ninh", "body": ""},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    certificate = Certificate.objects.get(product=world.product_a)
    assert list(decision.certificates.all()) == [certificate]
    assert list(decision.evaluations.all()) == [evaluation]
    assert certificate.star == 4 and certificate.decision_number == "2345/QĐ-UBND"
    assert certificate.issued_on == today and certificate.expires_on == clock.add_months(today, 36)
    assert certificate.score == Decimal("84.00")
    evaluation.refresh_from_db()
    dossier.refresh_from_db()
    assert evaluation.outcome == Outcome.RECOGNISED and dossier.status == DossierStatus.RECOGNISED
    assert Notification.objects.filter(kind="certificate.issued", user=world.user("producer_a")).exists()
    page = office.get(evaluation.get_absolute_url()).content.decode()
    assert certificate.number in page and "2345/QĐ-UBND" in page

    # Every step is in the audit log.
    audited = set(AuditEvent.objects.values_list("model", flat=True))
    for label in (
        "councils.Round",
        "councils.Council",
        "councils.CouncilMember",
        "councils.Evaluation",
        "councils.AdvisoryNote",
        "councils.ConflictDeclaration",
        "councils.Scoring",
        "councils.ScoreEntry",
        "councils.Decision",
        "certificates.Certificate",
    ):
        assert label in audited, label
    assert ConflictDeclaration.objects.count() == 5
