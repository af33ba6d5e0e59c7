"""Declarations and scoring: bad input is refused with a clear message and nothing is half-written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.councils import actions
from ocop.councils.forms import NONE_APPLIES, SCORE_PREFIX
from ocop.councils.models import ConflictDeclaration, ScoreEntry, Scoring
from ocop.councils.tests.util import (
    best,
    client_of,
    council_user,
    declare_and_score,
    in_round,
    lowered,
)
from ocop.rules.rulebooks import get_rulebook


def _sheet(evaluation):
    return get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)


def _form(choices, **extra):
    data = {f"{SCORE_PREFIX}{code}": option or NONE_APPLIES for code, option in choices.items()}
    data.update(extra)
    return data


def _nothing_written(before: int) -> None:
    assert Scoring.objects.count() == before
    assert ScoreEntry.objects.filter(scoring__isnull=True).count() == 0
    assert AuditEvent.objects.filter(model="councils.Scoring").count() == before


@pytest.fixture
def setup(world):
    round_, evaluation, members = in_round(world)
    return {"round": round_, "evaluation": evaluation, "members": members, "sheet": _sheet(evaluation)}


def test_the_sheet_is_shown_after_the_declaration(world, setup):
    evaluation = setup["evaluation"]
    member = client_of(setup["members"][1])
    page = member.get(reverse("councils:score", args=[evaluation.pk])).content.decode()
    assert 'name="has_conflict"' in page and f'name="{SCORE_PREFIX}1.1"' not in page
    member.post(reverse("councils:declare", args=[evaluation.pk]), {"has_conflict": "no"})
    page = member.get(reverse("councils:score", args=[evaluation.pk])).content.decode()
    assert f'name="{SCORE_PREFIX}1.1"' in page
    assert all(f'name="{SCORE_PREFIX}{c.code}"' in page for c in setup["sheet"].criteria)


def test_scoring_before_declaring_is_refused(world, setup):
    evaluation, member = setup["evaluation"], setup["members"][1]
    response = client_of(member).post(reverse("councils:score", args=[evaluation.pk]), _form(best(setup["sheet"])))
    assert response.status_code == 200
    assert "Khai báo" in response.content.decode() or "Declare" in response.content.decode()
    _nothing_written(0)


def test_a_member_with_a_conflict_cannot_score(world, setup):
    evaluation, member = setup["evaluation"], setup["members"][1]
    client = client_of(member)
    # A conflict needs its explanation.
    response = client.post(reverse("councils:declare", args=[evaluation.pk]), {"has_conflict": "yes"})
    assert response.status_code == 200 and not ConflictDeclaration.objects.exists()
    client.post(
        reverse("councils:declare", args=[evaluation.pk]), {"has_conflict": "yes", "note": "Anh ruột giám đốc HTX"}
    )
    assert ConflictDeclaration.objects.get().has_conflict
    response = client.post(reverse("councils:score", args=[evaluation.pk]), _form(best(setup["sheet"])))
    assert response.status_code == 200
    assert "xung đột lợi ích" in response.content.decode()
    _nothing_written(0)
    # The declaration is made once: it cannot be turned into "no conflict" afterwards.
    with pytest.raises(ValidationError):
        actions.declare(evaluation, member, has_conflict=False)
    assert ConflictDeclaration.objects.count() == 1


def test_scoring_by_a_non_member(world, client_for, setup):
    evaluation = setup["evaluation"]
    outsider = council_user(world, "outsider")  # a council account of the province, not on this council
    url = reverse("councils:score", args=[evaluation.pk])
    assert client_of(outsider).get(url).status_code == 404
    assert client_of(outsider).post(url, _form(best(setup["sheet"]))).status_code == 404
    # The provincial officer reads the evaluation but sits as secretary: refused, with the reason.
    response = client_for("province").post(url, _form(best(setup["sheet"])))
    assert response.status_code == 403
    assert "không chấm điểm" in response.content.decode()
    assert client_for("province_other").post(url, _form(best(setup["sheet"]))).status_code == 404
    assert client_for("producer_a").post(url, _form(best(setup["sheet"]))).status_code == 404
    with pytest.raises(ValidationError) as error:
        actions.submit_scoring(evaluation, outsider, best(setup["sheet"]))
    assert error.value.code == "not_member"
    _nothing_written(0)


def test_the_advisory_team_does_not_score(world, setup):
    round_, evaluation = setup["round"], setup["evaluation"]
    adviser = council_user(world, "adviser")
    round_.council.members.create(user=adviser, function="advisory")
    response = client_of(adviser).post(reverse("councils:score", args=[evaluation.pk]), _form(best(setup["sheet"])))
    assert response.status_code == 403
    _nothing_written(0)


def test_scoring_twice_is_refused(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    declare_and_score(evaluation, member, best(sheet))
    response = client_of(member).post(reverse("councils:score", args=[evaluation.pk]), _form(lowered(sheet, 10)))
    assert response.status_code == 200
    assert "điều chỉnh" in response.content.decode()
    assert Scoring.objects.get().total == Decimal(100)
    _nothing_written(1)


def test_scoring_after_closing_is_refused(world, setup):
    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    for member in members[:4]:
        declare_and_score(evaluation, member, lowered(sheet, 15))
    actions.close_evaluation(evaluation, actor=members[0])
    late = members[4]
    with pytest.raises(ValidationError) as error:
        actions.declare(evaluation, late, has_conflict=False)
    assert error.value.code == "closed"
    response = client_of(late).post(reverse("councils:score", args=[evaluation.pk]), _form(best(sheet)))
    assert response.status_code == 200
    _nothing_written(4)
    # Nor may a member who scored correct it once closed.
    with pytest.raises(ValidationError) as error:
        actions.correct_scoring(evaluation, members[1], best(sheet), reason="Sau khi chốt")
    assert error.value.code == "closed"
    _nothing_written(4)


def test_a_criterion_not_on_the_sheet_is_refused(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    actions.declare(evaluation, member, has_conflict=False)
    data = _form(best(sheet), **{f"{SCORE_PREFIX}99.9": "99.9-1"})
    response = client_of(member).post(reverse("councils:score", args=[evaluation.pk]), data)
    assert response.status_code == 200
    assert "99.9" in response.content.decode()
    _nothing_written(0)


@pytest.mark.parametrize("posted", ["3", "1.2-1", "1.1-99", ""])
def test_points_not_among_the_options_are_refused(world, setup, posted):
    """A hand-made request: points instead of an option, another criterion's option, an unknown one, nothing."""
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    actions.declare(evaluation, member, has_conflict=False)
    data = _form(best(sheet))
    data[f"{SCORE_PREFIX}1.1"] = posted
    response = client_of(member).post(reverse("councils:score", args=[evaluation.pk]), data)
    assert response.status_code == 200
    assert "1.1" in response.content.decode()
    _nothing_written(0)
    # What was typed is still there: the other criteria keep their choice.
    option = best(sheet)["1.2"]
    assert f'value="{option}" id="o-{option}" checked' in response.content.decode()


def test_every_criterion_needs_an_answer(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    actions.declare(evaluation, member, has_conflict=False)
    choices = best(sheet)
    del choices["2.3"]
    with pytest.raises(ValidationError) as error:
        actions.submit_scoring(evaluation, member, choices)
    assert "2.3" in " ".join(error.value.messages)
    # "None applies" is an answer: 0 points for that criterion.
    choices["2.3"] = None
    scoring = actions.submit_scoring(evaluation, member, choices)
    assert scoring.total == Decimal(97)
    assert scoring.entries.get(criterion="2.3").option == ""


def test_totals_are_computed_on_the_server(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    actions.declare(evaluation, member, has_conflict=False)
    data = _form(lowered(sheet, 12), total="100", **{"points-1.1": "3"})
    client_of(member).post(reverse("councils:score", args=[evaluation.pk]), data)
    scoring = Scoring.objects.get()
    assert scoring.total == Decimal(88)
    assert sum(e.points for e in scoring.entries.all()) == Decimal(88)
    assert scoring.entries.count() == len(sheet.criteria)


def test_a_correction_needs_a_reason_and_keeps_the_old_scoring(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    client = client_of(member)
    correct_url = reverse("councils:correct", args=[evaluation.pk])
    actions.declare(evaluation, member, has_conflict=False)
    # Nothing to correct yet.
    response = client.post(correct_url, _form(best(sheet), reason="Thử"))
    assert response.status_code == 200 and not Scoring.objects.exists()
    first = actions.submit_scoring(evaluation, member, best(sheet))
    response = client.post(correct_url, _form(lowered(sheet, 5), reason="  "))
    assert response.status_code == 200
    assert Scoring.objects.get().pk == first.pk
    response = client.post(correct_url, _form(lowered(sheet, 5), reason="Hội đồng thống nhất lại tiêu chí 1.1"))
    assert response.status_code == 302
    first.refresh_from_db()
    current = Scoring.objects.get(is_current=True)
    assert not first.is_current and current.supersedes == first and current.total == Decimal(95)
    assert first.entries.count() == len(sheet.criteria) and first.total == Decimal(100)
    # The correction page starts from the member's current choices.
    page = client.get(correct_url).content.decode()
    option = lowered(sheet, 5)["1.1"]
    assert f'value="{option}" id="o-{option}" checked' in page


def test_members_see_others_scores_only_after_their_own(world, setup):
    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    declare_and_score(evaluation, members[1], lowered(sheet, 13))
    # Totals are shown as <strong>87</strong>; match that, not any "87" (CSRF tokens contain digits).
    waiting = client_of(members[2]).get(evaluation.get_absolute_url()).content.decode()
    assert "<strong>87</strong>" not in waiting
    declare_and_score(evaluation, members[2], lowered(sheet, 11))
    after = client_of(members[2]).get(evaluation.get_absolute_url()).content.decode()
    assert "<strong>87</strong>" in after and "<strong>89</strong>" in after


def test_the_to_do_list_of_a_member(world, client_for, setup):
    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    page = client_for("council").get(reverse("councils:round_list"))
    assert list(page.context["to_score"]) == [evaluation]
    declare_and_score(evaluation, members[0], best(sheet))
    assert list(client_for("council").get(reverse("councils:round_list")).context["to_score"]) == []
    # A member who declared a conflict has nothing to do either.
    actions.declare(evaluation, members[1], has_conflict=True, note="Cố vấn của HTX")
    assert not actions.open_evaluations_for(members[1]).exists()
    assert list(actions.open_evaluations_for(members[2])) == [evaluation]


def test_the_result_takes_the_same_queries_whatever_the_council_size(world, setup, django_assert_max_num_queries):
    from ocop.councils.models import CouncilMember

    evaluation, members, sheet = setup["evaluation"], setup["members"], setup["sheet"]
    extra = [council_user(world, f"x{i}") for i in range(15)]
    for user in extra:
        CouncilMember.objects.create(council=setup["round"].council, user=user, function="member")
    for i, user in enumerate(members + extra):
        declare_and_score(evaluation, user, lowered(sheet, 10 + i % 5))
    with django_assert_max_num_queries(6):
        result = actions.council_result(evaluation)
    assert result.scored == 20 and result.ready and result.star.final_star == 4


def test_a_recorded_scoring_is_never_edited(world, setup):
    evaluation, member, sheet = setup["evaluation"], setup["members"][1], setup["sheet"]
    scoring = declare_and_score(evaluation, member, best(sheet))
    scoring.total = Decimal(50)
    with pytest.raises(ValueError):
        scoring.save()
    entry = scoring.entries.first()
    entry.points = Decimal(0)
    with pytest.raises(ValueError):
        entry.save()
    scoring.refresh_from_db()
    assert scoring.total == Decimal(100)
