"""The council's result: quorum and spread checks, closing, outcomes, and the recognition decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocop.certificates.models import Certificate, Proposal
from ocop.councils import actions
from ocop.councils.models import Decision, EvaluationStatus, Outcome
from ocop.councils.tests.util import best, declare_and_score, in_round, lowered, selections
from ocop.evaluation.models import DossierStatus
from ocop.lib import clock
from ocop.notifications.models import Notification
from ocop.rules.rulebooks import get_rulebook


@pytest.fixture
def setup(world):
    round_, evaluation, members = in_round(world)
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    return {"round": round_, "evaluation": evaluation, "members": members, "sheet": sheet}


def _score_all(setup, losses):
    for user, lost in zip(setup["members"], losses, strict=False):
        declare_and_score(setup["evaluation"], user, lowered(setup["sheet"], lost))


def _decide(evaluation, actor, number="2345/QĐ-UBND", **extra):
    values = {"number": number, "date": clock.today(), "signer": "Chủ tịch UBND tỉnh"}
    values.update(extra)
    return actions.decide(evaluation, actor=actor, **values)


def test_quorum_needs_three_quarters_and_the_chair(world, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    # Three of five members (the chair among them): 4 are needed.
    _score_all(setup, [15, 15, 15])
    result = actions.council_result(evaluation)
    assert (result.scored, result.required, result.quorum_ok) == (3, 4, False)
    assert result.star is None and result.blocked
    with pytest.raises(ValidationError):
        actions.close_evaluation(evaluation, actor=members[0])
    declare_and_score(evaluation, members[3], lowered(setup["sheet"], 15))
    assert actions.council_result(evaluation).quorum_ok


def test_the_chair_must_have_scored(world, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    for user in members[1:]:
        declare_and_score(evaluation, user, lowered(setup["sheet"], 15))
    result = actions.council_result(evaluation)
    assert result.scored == 4 and not result.chair_scored and not result.quorum_ok
    with pytest.raises(ValidationError) as error:
        actions.close_evaluation(evaluation, actor=members[0])
    assert len(error.value.messages) >= 2
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SCORING


def test_the_spread_rule_follows_the_provincial_override(world, setup):
    from ocop.rules.models import CouncilRuleOverride

    evaluation = setup["evaluation"]
    _score_all(setup, [15, 15, 15, 21])  # 85, 85, 85, 79: 6 points apart
    result = actions.council_result(evaluation)
    assert result.spread == Decimal(6) and result.spread_ok and result.ready
    CouncilRuleOverride.objects.create(
        province=world.bac_ninh, valid_from=clock.today(), max_spread=Decimal(5), decision="Quyết định 99/QĐ-UBND"
    )
    result = actions.council_result(evaluation)
    assert not result.spread_ok and result.rules.max_spread == Decimal(5) and not result.ready
    with pytest.raises(ValidationError):
        actions.close_evaluation(evaluation, actor=setup["members"][0])


def test_disagreements_list_the_criteria_where_points_differ(world, setup):
    sheet = setup["sheet"]
    _score_all(setup, [0, 0, 0, 3])
    result = actions.council_result(setup["evaluation"])
    lowered_codes = {code for code, option in lowered(sheet, 3).items() if option != best(sheet)[code]}
    assert {d.code for d in result.disagreements} == lowered_codes
    item = result.disagreements[0]
    assert item.points[:3] == [item.high] * 3 and item.points[3] == item.low and item.points[4] is None


def test_ninety_points_or_more_are_proposed_to_the_central_level(world, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    _score_all(setup, [0, 0, 2, 4, 10])  # mean 96.8
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    assert evaluation.final_star == 5 and evaluation.outcome == Outcome.PROPOSED_CENTRAL
    proposal = Proposal.objects.get()
    assert evaluation.proposal == proposal and proposal.product == world.product_a and proposal.star == 5
    assert evaluation.dossier.status == DossierStatus.PROPOSED_CENTRAL
    assert Notification.objects.filter(kind="council.proposed_central", user=world.user("central")).exists()
    # The province does not recognise it meanwhile: the central result decides.
    with pytest.raises(ValidationError):
        _decide(evaluation, world.user("province"))
    assert not Certificate.objects.exists()


def test_one_or_two_stars_are_not_recognised(world, client_for, setup):
    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    lowest = selections(sheet, lambda c: min(c.options, key=lambda o: o.points))
    for user in members:
        declare_and_score(evaluation, user, lowest)
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    assert evaluation.final_star is not None and evaluation.final_star <= 2
    assert evaluation.outcome == Outcome.NOT_RECOGNISED
    assert evaluation.dossier.status == DossierStatus.NOT_RECOGNISED
    assert Notification.objects.filter(kind="council.not_recognised", user=world.user("producer_a")).exists()
    response = client_for("province").post(
        reverse("councils:decide", args=[evaluation.pk]),
        {"number": "1/QĐ", "date": clock.today().isoformat(), "signer": "Chủ tịch"},
    )
    assert response.status_code == 200
    assert not Decision.objects.exists() and not Certificate.objects.exists()


def test_a_missed_minimum_lowers_the_star_with_its_reason(world, setup):
    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    # Everybody scores criterion 2.1 below its 4★ mark: 98 points, 5★ band, but 3★ at most.
    choices = best(sheet)
    criterion = sheet.criterion("2.1")
    choices["2.1"] = next(o.id for o in criterion.options if o.points == 1)
    for user in members:
        declare_and_score(evaluation, user, choices)
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    assert evaluation.band_star == 5 and evaluation.final_star == 3
    assert any("2.1" in message for message in actions.reason_messages(evaluation))


def test_a_knockout_found_by_the_council_rejects_the_dossier(world, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    _score_all(setup, [10, 10, 10, 10, 10])
    with pytest.raises(ValidationError):
        actions.close_evaluation(evaluation, actor=members[0], knockouts=["no-such-condition"])
    actions.close_evaluation(evaluation, actor=members[0], knockouts=["forged-dossier"])
    evaluation.refresh_from_db()
    assert not evaluation.eligible and evaluation.final_star is None
    assert evaluation.outcome == Outcome.NOT_RECOGNISED and evaluation.knockouts == ["forged-dossier"]


def test_only_the_chair_closes_and_only_once(world, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    _score_all(setup, [15, 15, 15, 15, 15])
    for actor in (members[1], world.user("province"), world.user("admin")):
        with pytest.raises(PermissionDenied):
            actions.close_evaluation(evaluation, actor=actor)
    actions.close_evaluation(evaluation, actor=members[0])
    with pytest.raises(ValidationError):
        actions.close_evaluation(evaluation, actor=members[0])


def test_decision_input_is_checked(world, client_for, setup):
    evaluation, members = setup["evaluation"], setup["members"]
    # Before the council closes, there is nothing to decide.
    with pytest.raises(ValidationError):
        _decide(evaluation, world.user("province"))
    _score_all(setup, [15, 15, 15, 15, 15])
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    office = world.user("province")
    with pytest.raises(ValidationError) as error:
        _decide(evaluation, office, number=" ", signer="", date=clock.today() + dt.timedelta(days=1))
    assert {"number", "signer", "date"} <= set(error.value.error_dict)
    # Other offices do not decide a Bắc Ninh 4★.
    for persona in ("province_other", "central", "admin", "council"):
        with pytest.raises(PermissionDenied):
            _decide(evaluation, world.user(persona))
    url = reverse("councils:decide", args=[evaluation.pk])
    assert client_for("central").post(url, {}).status_code == 403
    assert client_for("province_other").post(url, {}).status_code == 404
    assert not Certificate.objects.exists() and not Decision.objects.exists()
    decision = _decide(evaluation, office)
    assert decision.certificates.get().star == 4
    # Recognised once only.
    with pytest.raises(ValidationError):
        _decide(evaluation, office, number="9999/QĐ-UBND")
    assert Certificate.objects.count() == 1


def test_one_decision_recognises_several_products(world, setup):
    from ocop.evaluation import actions as dossier_actions
    from ocop.evaluation.tests import util as dossier_util
    from ocop.registry.models import Product

    first, members = setup["evaluation"], setup["members"]
    _score_all(setup, [15, 15, 15, 15, 15])
    actions.close_evaluation(first, actor=members[0])
    # A second product of the same producer, through the same round.
    product = Product.objects.create(
        producer=world.producer_a, name="Vải sấy A", product_set=world.product_a.product_set, status="active"
    )
    dossier = dossier_actions.open_dossier(product, "first", actor=world.user("producer_a"))
    dossier_util.complete(dossier, world)
    dossier_actions.submit(dossier, actor=world.user("producer_a"))
    commune = world.user("commune")
    dossier_actions.save_commune_report(dossier, {**dossier_util.REPORT, "report_date": clock.today()}, actor=commune)
    dossier_actions.decide(dossier, "forward", actor=commune)
    (second,) = actions.add_dossiers(setup["round"], [dossier], actor=world.user("province"))
    for user in members:
        declare_and_score(second, user, lowered(setup["sheet"], 25))
    actions.close_evaluation(second, actor=members[0])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.final_star, second.final_star) == (4, 4)
    one = _decide(first, world.user("province"))
    # The same number with another signer would be another decision of the same body: refused.
    with pytest.raises(ValidationError) as error:
        _decide(second, world.user("province"), signer="Phó Chủ tịch UBND tỉnh")
    assert "number" in error.value.error_dict
    same = _decide(second, world.user("province"))
    assert one.pk == same.pk and one.certificates.count() == 2
    assert set(one.evaluations.all()) == {first, second}


def test_an_upgrade_takes_the_same_path(world):
    from ocop.councils.tests.util import council_of_five, forwarded, province_round
    from ocop.evaluation.tests.util import certificate

    old = certificate(world.product_a, star=3, expires_in_days=400)
    dossier = forwarded(world, kind="upgrade")
    round_ = province_round(world)
    members = council_of_five(world, round_)
    (evaluation,) = actions.add_dossiers(round_, [dossier], actor=world.user("province"))
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    for user in members:
        declare_and_score(evaluation, user, lowered(sheet, 12))
    actions.close_evaluation(evaluation, actor=members[0])
    evaluation.refresh_from_db()
    decision = _decide(evaluation, world.user("province"))
    new = decision.certificates.get()
    assert new.star == 4 and new.pk != old.pk and new.product == world.product_a
    evaluation.dossier.refresh_from_db()
    assert evaluation.dossier.status == DossierStatus.RECOGNISED
