"""The star rule: bands, minimum marks, knock-outs, reasons in words, and the gap to the next star."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop.rules.rulebooks import get_rulebook
from ocop.rules.stars import (
    MemberScoring,
    ScoringError,
    compute,
    compute_stars,
    compute_stars_from_totals,
    final_star,
    gap_to_next_star,
    total_of,
)

RULEBOOK = get_rulebook("qd-26-2026")
FOOD = RULEBOOK.sheet(1)
WATER = RULEBOOK.sheet(16)


def best(sheet=FOOD) -> dict[str, str]:
    return {c.code: max(c.options, key=lambda o: o.points).id for c in sheet.criteria}


def lowest(sheet=FOOD) -> dict[str, str | None]:
    return {c.code: None for c in sheet.criteria}


def with_option(selections, code, points, sheet=FOOD):
    criterion = sheet.criterion(code)
    option = next(o for o in criterion.options if o.points == points)
    return {**selections, code: option.id}


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("average", "band", "star", "recognised"),
    [
        ("100", 5, 5, True),
        ("90", 5, 5, True),
        ("89.99", 4, 4, True),
        ("70", 4, 4, True),
        ("69.99", 3, 3, True),
        ("50", 3, 3, True),
        ("49.99", 2, 2, False),
        ("30", 2, 2, False),
        ("29.99", 1, 1, False),
        ("0", 1, 1, False),
    ],
)
def test_band_edges(average, band, star, recognised):
    result = compute_stars_from_totals(FOOD, [average], best())
    assert result.average == Decimal(average)
    assert (result.band_star, result.minimum_star, result.final_star, result.recognised) == (band, 5, star, recognised)
    assert result.certifying_level == ({5: "central", 4: "province", 3: "province"}.get(star) if recognised else None)


def test_average_is_cut_not_rounded():
    # 69.996… must not show as 70.00 and must not be 4★.
    result = compute_stars_from_totals(FOOD, ["70", "70", "69.99"], best())
    assert result.average == Decimal("69.99")
    assert result.band_star == 3
    assert compute_stars_from_totals(FOOD, [70, 70, 69], best()).average == Decimal("69.66")


def test_minimum_missed_lowers_the_star_and_says_why():
    consensus = with_option(best(), "2.3", 1)  # labelled, but no electronic traceability code: 4★ mark missed
    result = compute_stars_from_totals(FOOD, ["95"], consensus)
    assert (result.band_star, result.minimum_star, result.final_star) == (5, 3, 3)
    assert result.recognised and result.certifying_level == "province"
    missed = [(m.criterion.code, m.star) for m in result.missed_minimums]
    assert ("2.3", 4) in missed
    messages = result.messages()
    assert any(m.startswith("Chưa đạt mức tối thiểu 4 sao của tiêu chí 2.3:") for m in messages), messages
    assert any("mã truy xuất nguồn gốc điện tử" in m for m in messages)
    assert "Hạng sao: mức thấp hơn giữa khung điểm (5★) và mức tối thiểu (3★)." in messages


def test_missing_a_three_star_minimum_means_not_recognised():
    consensus = {**best(), "2.3": None}
    result = compute_stars_from_totals(FOOD, ["80"], consensus)
    assert (result.band_star, result.minimum_star, result.final_star) == (4, 2, 2)
    assert not result.recognised and result.certifying_level is None
    assert "2★ không được công nhận: không ra quyết định, không cấp giấy chứng nhận." in result.messages()


def test_reasons_in_english_too():
    consensus = with_option(best(), "2.3", 1)
    with translation.override("en"):
        messages = compute_stars_from_totals(FOOD, ["95"], consensus).messages()
    assert any(m.startswith("4★ minimum of criterion 2.3 not met:") for m in messages)
    assert "3★, recognised at province level." in messages


def test_knockout_makes_the_dossier_ineligible():
    result = compute_stars_from_totals(FOOD, ["98"], best(), knockouts=["forged-dossier"])
    assert not result.eligible and result.final_star is None and not result.recognised
    assert result.band_star == 5
    assert "Hồ sơ bị loại: Giả mạo hồ sơ" in result.messages()
    criterion_ko = compute_stars_from_totals(FOOD, ["98"], best(), knockouts=["6.1:impurities"])
    assert not criterion_ko.eligible


def test_unknown_knockout_or_selection_is_refused_with_a_clear_message():
    with pytest.raises(ScoringError, match="không phải là điều kiện loại hồ sơ của phiếu đánh giá 1"):
        compute_stars_from_totals(FOOD, ["80"], best(), knockouts=["no-such-thing"])
    with pytest.raises(ScoringError, match="Tiêu chí 9.9 không có trong phiếu đánh giá 1"):
        compute(FOOD, [{"9.9": "9.9-1"}])
    with pytest.raises(ScoringError, match="không phải là một phương án của tiêu chí 1.1"):
        compute(FOOD, [{"1.1": "1.2-1"}])
    with pytest.raises(ScoringError):
        compute(FOOD, [])
    with pytest.raises(ScoringError, match="từ 0 đến 100"):
        compute_stars_from_totals(FOOD, ["101"], best())


def test_zero_in_a_sensory_criterion_of_the_water_sheet_stops_the_evaluation():
    scoring = with_option(best(WATER), "6.2", 0, sheet=WATER)
    result = compute(WATER, [scoring] * 3)
    assert result.band_star == 5
    assert not result.eligible
    assert [k.code for k in result.knockouts] == ["6.4:zero-score"]
    assert any("tiêu chí 6.2 được 0 điểm" in m for m in result.messages())


def test_totals_are_computed_from_the_options():
    member_a = best()
    member_b = with_option(best(), "4.1", 1)  # 4 points fewer
    result = compute_stars(FOOD, [MemberScoring("a", member_a), MemberScoring("b", member_b)])
    assert result.totals == (Decimal(100), Decimal(96))
    assert result.average == Decimal("98.00")
    assert result.spread == Decimal(4)
    assert total_of(FOOD, member_b) == 96


def test_minimums_are_judged_on_the_median_of_the_members():
    with_code = best()
    without_code = with_option(best(), "2.3", 1)
    # Two of three members saw the electronic traceability code: a majority, the 4★ mark counts as met.
    majority = compute(FOOD, [with_code, with_code, without_code])
    assert majority.consensus["2.3"] == 3 and majority.minimum_star == 5
    # Two of four is no majority: the lower middle value is taken and the mark is missed.
    split = compute(FOOD, [with_code, with_code, without_code, without_code])
    assert split.consensus["2.3"] == 1 and split.minimum_star == 3 and split.final_star == 3


def test_band_only_rule_ignores_the_marks():
    band_only = dataclasses.replace(RULEBOOK, star_rule="band_only")
    consensus = {**best(), "2.3": None}
    result = compute_stars_from_totals(FOOD, ["80"], consensus, rulebook=band_only)
    assert result.final_star == 4 and result.minimum_star == 2
    assert final_star(band_only, 4, 2) == 4 and final_star(RULEBOOK, 4, 2) == 2


# --- Gap to the next star -----------------------------------------------------------------------------------------
def test_gap_when_points_are_missing():
    selections = best()
    # Lower unmarked criteria (and marked ones no further than their 4★ mark) until the total falls below 70.
    for code, points in (("4.3", 3), ("1.2", 0), ("12", 1), ("6.3", 0), ("5.2", 0), ("3.5", 2), ("1.4", 1),
                         ("11", 1), ("1.7", 0), ("6.4", 0), ("1.1", 1), ("4.2", 0), ("9", 2), ("10", 3),
                         ("7", 0)):  # fmt: skip
        selections = with_option(selections, code, points)
    total = total_of(FOOD, selections)
    assert 60 <= total < 70
    gap = gap_to_next_star(FOOD, selections)
    assert gap.result.band_star == 3 and gap.result.minimum_star >= 4
    assert gap.next_star == 4 and gap.threshold == 70
    assert gap.points_short == 70 - total
    assert gap.missing_minimums == ()
    assert gap.steps[0].gain >= gap.steps[-1].gain
    assert gap.reachable and sum(s.gain for s in gap.plan) >= 70 - total


def test_gap_names_the_missing_minimums_first():
    selections = with_option(best(), "2.3", 1)
    gap = gap_to_next_star(FOOD, selections)
    assert gap.result.final_star == 3 and gap.next_star == 4
    assert [(m.criterion.code, m.star) for m in gap.missing_minimums] == [("2.3", 4)]
    assert gap.points_short == 0
    assert [(s.criterion.code, s.target.points, s.gain) for s in gap.plan] == [("2.3", 3, 2)]


def test_gap_at_the_top():
    gap = gap_to_next_star(FOOD, best())
    assert gap.next_star is None and gap.plan == () and gap.steps == ()


# --- Properties -----------------------------------------------------------------------------------------------------
@st.composite
def council(draw, max_members=7):
    sheet = RULEBOOK.sheet(draw(st.integers(1, 26)))
    members = draw(st.integers(1, max_members))
    scorings = []
    for _ in range(members):
        chosen = {}
        for criterion in sheet.criteria:
            option = draw(st.one_of(st.none(), st.sampled_from(criterion.options)))
            chosen[criterion.code] = option.id if option else None
        scorings.append(chosen)
    return sheet, scorings


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(council())
def test_final_star_never_exceeds_band_or_minimums(case):
    sheet, scorings = case
    result = compute(sheet, scorings)
    assert min(result.totals) <= result.average <= max(result.totals)
    assert 1 <= result.band_star <= 5 and 2 <= result.minimum_star <= 5
    if result.eligible:
        assert result.final_star <= result.band_star
        assert result.final_star <= result.minimum_star
        assert result.final_star == min(result.band_star, result.minimum_star)
        assert result.recognised == (result.final_star >= 3)
    else:
        assert result.final_star is None and not result.recognised
    assert result.reasons and all(r.message for r in result.reasons)


@SETTINGS
@given(council(), st.data())
def test_adding_points_never_lowers_the_star(case, data):
    sheet, scorings = case
    before = compute(sheet, scorings)
    member = data.draw(st.integers(0, len(scorings) - 1))
    criterion = data.draw(st.sampled_from(sheet.criteria))
    current = criterion.option(scorings[member][criterion.code] or "")
    higher = [o for o in criterion.options if o.points > (current.points if current else 0)]
    if not higher:
        return
    raised = [dict(s) for s in scorings]
    raised[member][criterion.code] = data.draw(st.sampled_from(higher)).id
    after = compute(sheet, raised)
    assert after.average >= before.average
    assert after.band_star >= before.band_star and after.minimum_star >= before.minimum_star
    if before.eligible:
        assert after.eligible and after.final_star >= before.final_star


@SETTINGS
@given(council(max_members=1))
def test_following_the_plan_reaches_the_next_star(case):
    sheet, (selections,) = case
    gap = gap_to_next_star(sheet, selections)
    if gap.next_star is None:
        assert compute(sheet, [selections]).minimum_star == 5
        return
    assert gap.reachable
    improved = dict(selections)
    for step in gap.plan:
        assert step.gain > 0
        improved[step.criterion.code] = step.target.id
    after = compute(sheet, [improved])
    assert final_star(RULEBOOK, after.band_star, after.minimum_star) >= gap.next_star
