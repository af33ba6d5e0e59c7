"""A council member declares, scores on screen, and the chair meets the blocked result, in the browser."""

from __future__ import annotations

import os

from django.urls import reverse

from ocop.councils import actions
from ocop.councils.models import Scoring
from ocop.councils.tests.util import declare_and_score, in_round, lowered
from ocop.rules.rulebooks import get_rulebook
from tests.browser.helpers import log_in, submit

SHOTS = os.environ.get("OCOP_SCREENSHOTS")  # a folder to keep screenshots of the pages, when set


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_member_scores_on_screen_and_the_spread_blocks_closing(world, page):
    round_, evaluation, members = in_round(world)
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    # Three members have scored 85 already; the chair scores on screen.
    for user in members[1:4]:
        declare_and_score(evaluation, user, lowered(sheet, 15))

    log_in(page, world.user("council").username)
    page.goto(reverse("councils:round_list"))
    _shot(page, "round_list")
    page.get_by_role("link", name=str(evaluation.dossier)).first.click()
    page.wait_for_url(f"**{reverse('councils:score', args=[evaluation.pk])}")
    # The declaration comes first.
    page.get_by_label("Tôi không có xung đột lợi ích", exact=False).check()
    submit(page, reverse("councils:declare", args=[evaluation.pk]))
    page.wait_for_url(f"**{reverse('councils:score', args=[evaluation.pk])}")
    # Every criterion's lowest option: far below the others.
    for criterion in sheet.criteria:
        lowest = min(criterion.options, key=lambda o: o.points)
        page.locator(f'input[type=radio][value="{lowest.id}"]').check()
    page.fill('textarea[name="comment-1.1"]', "Chưa rõ nguồn gốc giống")
    _shot(page, "score")
    submit(page, 'textarea[name="comment-1.1"]')
    page.wait_for_url(f"**{evaluation.get_absolute_url()}")
    chair_total = Scoring.objects.get(member__user=world.user("council")).total
    assert page.locator("main td strong", has_text=f"{chair_total:f}".removesuffix(".00")).count() == 1
    # The totals are too far apart: the result is blocked and the disagreements are highlighted.
    assert page.locator("table.disagreements td.low").count() >= 1
    submit(page, reverse("councils:close", args=[evaluation.pk]))
    page.wait_for_load_state()
    _shot(page, "blocked")
    assert page.locator("[role=alert]").count() >= 1
    evaluation.refresh_from_db()
    assert not evaluation.is_closed
    assert actions.council_result(evaluation).spread > 10
