"""Self-scoring on the dossier's criteria sheet: the projected star, its reasons and the gap to the next star."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.evaluation import actions, sheets
from ocop.evaluation.tests.util import best_selections, lowest_selections, open_draft, submitted


def _post(selections):
    return {f"c-{code}": option for code, option in selections.items()}


def test_page_shows_one_radio_group_per_criterion(world, client_for):
    dossier = open_draft(world)
    response = client_for("producer_a").get(reverse("evaluation:self_assessment", args=[dossier.pk]))
    text = response.content.decode()
    sheet = sheets.sheet_for(dossier)
    assert response.status_code == 200
    for criterion in sheet.criteria:
        assert f'name="c-{criterion.code}"' in text
    assert "Nguồn gốc sản phẩm" in text  # criterion 1.1 of sheet 1, as printed


def test_scores_are_saved_and_projected(world, client_for):
    dossier = open_draft(world)
    selections = best_selections(dossier)
    url = reverse("evaluation:self_assessment", args=[dossier.pk])
    response = client_for("producer_a").post(url, _post(selections))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.self_assessment == selections
    page = client_for("producer_a").get(url).content.decode()
    assert "100" in page and "5★" in page
    assert "Đây là hạng sao cao nhất" in page


def test_projection_explains_missed_minimums_and_the_gap(world, client_for):
    dossier = open_draft(world)
    sheet = sheets.sheet_for(dossier)
    selections = best_selections(dossier)
    # Drop one criterion carrying a 4★ mark to its lowest option.
    marked = next(c for c in sheet.criteria if any(o.min_star == 4 for o in c.options))
    selections[marked.code] = min(marked.options, key=lambda o: o.points).id
    actions.save_self_assessment(dossier, selections, actor=world.user("producer_a"))
    projection = sheets.project(sheet, selections)
    assert projection.star <= 3
    gap = sheets.gap(sheet, selections)
    assert marked.code in [m.criterion.code for m in gap.missing_minimums]
    page = client_for("producer_a").get(reverse("evaluation:self_assessment", args=[dossier.pk])).content.decode()
    assert f"tiêu chí {marked.code}" in page  # the reason names the criterion
    assert "Cần gì để đạt" in page


def test_lowest_scores_are_not_recognised(world):
    dossier = open_draft(world)
    projection = sheets.project(sheets.sheet_for(dossier), lowest_selections(dossier))
    assert projection.star < 3 and not projection.recognised


@pytest.mark.parametrize(
    "bad",
    [{"99.9": "1.1-1"}, {"1.1": "1.1-99"}, {"1.1": "1.2-1"}],
    ids=["criterion not on the sheet", "unknown option", "option of another criterion"],
)
def test_choices_not_on_the_sheet_are_refused(world, bad):
    dossier = open_draft(world)
    with pytest.raises(ValidationError):
        actions.save_self_assessment(dossier, bad, actor=world.user("producer_a"))
    dossier.refresh_from_db()
    assert dossier.self_assessment == {}


def test_a_forged_post_is_refused_with_a_message_and_nothing_saved(world, client_for):
    dossier = open_draft(world)
    selections = best_selections(dossier)
    selections["1.1"] = "1.2-1"
    response = client_for("producer_a").post(
        reverse("evaluation:self_assessment", args=[dossier.pk]), _post(selections)
    )
    assert response.status_code == 400
    assert "không phải là một lựa chọn của tiêu chí 1.1" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.self_assessment == {}


def test_after_submission_the_scoring_is_read_only(world, client_for):
    dossier = submitted(world)
    url = reverse("evaluation:self_assessment", args=[dossier.pk])
    page = client_for("producer_a").get(url).content.decode()
    assert "disabled" in page
    assert client_for("producer_a").post(url, _post(lowest_selections(dossier))).status_code == 403
    # The commune reads the producer's self-scoring too.
    assert client_for("commune").get(url).status_code == 200
    dossier.refresh_from_db()
    assert dossier.self_assessment == best_selections(dossier)
