"""The central level: the national council scores the products proposed for 5★; the minister decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocop.accounts.models import Role
from ocop.certificates.models import Certificate
from ocop.councils import actions
from ocop.councils.models import Outcome
from ocop.councils.tests.util import client_of, council_user, declare_and_score, in_round, lowered
from ocop.evaluation.models import DossierStatus
from ocop.lib import clock
from ocop.rules.rulebooks import get_rulebook


@pytest.fixture
def proposed(world):
    """Product A scored 97 by the Bắc Ninh council: proposed to the central level."""
    _round, evaluation, members = in_round(world)
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    for user, lost in zip(members, (0, 2, 3, 4, 6), strict=True):
        declare_and_score(evaluation, user, lowered(sheet, lost))
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    assert evaluation.outcome == Outcome.PROPOSED_CENTRAL
    return {"evaluation": evaluation, "dossier": evaluation.dossier, "sheet": sheet}


@pytest.fixture
def central(world, proposed):
    """A central round with a national council of four: a central chair, a central member, two experts."""
    office = world.user("central")
    today = clock.today()
    round_ = actions.create_round(
        actor=office,
        year=today.year,
        number=3,
        proposals_by=today + dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=60),
        plan_reference="Kế hoạch của Bộ",
    )
    chair = council_user(world, "c-chair", role=Role.CENTRAL)
    members = [
        council_user(world, "c-member", role=Role.CENTRAL),
        council_user(world, "c-expert-1", province=world.ha_noi),
        council_user(world, "c-expert-2"),
    ]
    actions.compose_council(round_, chair=chair, secretary=office, members=members, actor=office)
    # The central round lists the proposals of every province; a provincial office does not run it.
    assert proposed["dossier"] in actions.candidate_dossiers(round_)
    with pytest.raises(PermissionDenied):
        actions.add_dossiers(round_, [proposed["dossier"]], actor=world.user("province"))
    (evaluation,) = actions.add_dossiers(round_, [proposed["dossier"]], actor=office)
    return {"round": round_, "evaluation": evaluation, "scorers": [chair, *members]}


def _score(central, sheet, losses):
    for user, lost in zip(central["scorers"], losses, strict=True):
        declare_and_score(central["evaluation"], user, lowered(sheet, lost))
    actions.close_evaluation(central["evaluation"], actor=central["scorers"][0])
    central["evaluation"].refresh_from_db()
    return central["evaluation"]


def test_the_minister_recognises_five_stars(world, client_for, proposed, central):
    evaluation = _score(central, proposed["sheet"], (0, 1, 2, 5))
    assert evaluation.final_star == 5 and evaluation.outcome == Outcome.AWAITING_DECISION
    dossier = evaluation.dossier
    assert dossier.status == DossierStatus.SCORED
    url = reverse("councils:decide", args=[evaluation.pk])
    data = {"number": "456/QĐ-BNNMT", "date": clock.today().isoformat(), "signer": "Bộ trưởng"}
    # The provincial office reads the central result but does not decide 5★.
    assert client_for("province").get(evaluation.get_absolute_url()).status_code == 200
    assert client_for("province").post(url, data).status_code == 403
    assert client_for("central").post(url, data).status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.star == 5 and certificate.issuing_body == "Bộ Nông nghiệp và Môi trường"
    assert certificate.expires_on == clock.add_months(clock.today(), 36)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECOGNISED


def test_below_ninety_at_central_level_the_province_may_recognise(world, client_for, proposed, central):
    evaluation = _score(central, proposed["sheet"], (12, 14, 15, 16))  # mean 85.75 → 4★
    assert evaluation.final_star == 4 and evaluation.outcome == Outcome.RETURNED_TO_PROVINCE
    from ocop.notifications.models import Notification

    assert Notification.objects.filter(kind="council.awaiting_decision", user=world.user("province")).exists()
    with pytest.raises(PermissionDenied):
        actions.decide(
            evaluation, number="1/QĐ-BNNMT", date=clock.today(), signer="Bộ trưởng", actor=world.user("central")
        )
    decision = actions.decide(
        evaluation, number="789/QĐ-UBND", date=clock.today(), signer="Chủ tịch UBND tỉnh", actor=world.user("province")
    )
    certificate = decision.certificates.get()
    assert certificate.star == 4 and certificate.score == Decimal("85.75")
    assert "Bắc Ninh" in certificate.issuing_body
    # The provincial result (proposed) stays as it was: the decision rests on the central one.
    proposed["evaluation"].refresh_from_db()
    assert proposed["evaluation"].outcome == Outcome.PROPOSED_CENTRAL


def test_the_central_chair_closes_with_the_same_checks(world, proposed, central):
    evaluation = central["evaluation"]
    scorers = central["scorers"]
    for user, lost in zip(scorers[:3], (0, 0, 12), strict=True):
        declare_and_score(evaluation, user, lowered(proposed["sheet"], lost))
    result = actions.council_result(evaluation)
    assert result.quorum_ok and not result.spread_ok  # 3 of 4 with the chair; 12 points apart
    with pytest.raises(ValidationError):
        actions.close_evaluation(evaluation, actor=scorers[0])
    # A Hà Nội expert on the national council sees the dossier; the provincial office of Hà Nội does not.
    assert client_of(scorers[2]).get(evaluation.get_absolute_url()).status_code == 200
    assert client_of(scorers[2]).get(proposed["dossier"].get_absolute_url()).status_code == 200
    assert client_of(world.user("province_other")).get(evaluation.get_absolute_url()).status_code == 404
