"""The daily sweep of the rounds' end dates: overdue rounds to the office and the chair, reminders to members."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.accounts.models import Role
from ocop.councils import actions
from ocop.councils.models import (
    Council,
    CouncilMember,
    Evaluation,
    Level,
    MemberFunction,
    Round,
    RoundReminder,
    RoundReminderKind,
)
from ocop.councils.reminders import send_due_reminders
from ocop.councils.tasks import overdue_rounds
from ocop.councils.tests.util import council_user, declare_and_score, forwarded, in_round, lowered
from ocop.notifications.models import Notification
from ocop.rules.rulebooks import get_rulebook


@pytest.fixture
def scoring(world, clock):
    """Product A before a Bắc Ninh council of five, ending in 60 days; an outsider council member elsewhere."""
    clock.to(dt.date(2026, 9, 1))
    round_, evaluation, members = in_round(world)
    council_user(world, "outsider")
    return {"round": round_, "evaluation": evaluation, "members": members}


def _told(kind):
    return sorted(Notification.objects.filter(kind=f"round.{kind}").values_list("user__username", flat=True))


def test_nothing_before_the_last_week(scoring, clock):
    clock.to(scoring["round"].ends_on - dt.timedelta(days=8))
    assert send_due_reminders().total == 0
    assert not Notification.objects.filter(kind__startswith="round.").exists()


def test_members_who_have_not_scored_are_reminded_once(scoring, world, clock):
    evaluation, members = scoring["evaluation"], scoring["members"]
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    declare_and_score(evaluation, members[1], lowered(sheet, 0))
    actions.declare(evaluation, members[2], has_conflict=True, note="Người thân của chủ thể.")
    clock.to(scoring["round"].ends_on - dt.timedelta(days=7))
    overdue_rounds.enqueue(clock.today().isoformat())
    overdue_rounds.enqueue(None)
    clock.move(days=3)
    send_due_reminders()
    expected = sorted(u.username for u in (members[0], members[3], members[4]))
    assert _told("score_soon") == expected
    note = Notification.objects.filter(kind="round.score_soon").first()
    assert scoring["round"].ends_on.strftime("%d/%m/%Y") in note.title
    assert note.link == scoring["round"].get_absolute_url()
    # Not the member who scored, not the one with a conflict, not the secretary, not an outsider.
    for username in (members[1].username, members[2].username, "persona_province", "council_outsider"):
        assert username not in _told("score_soon")
    assert RoundReminder.objects.filter(kind=RoundReminderKind.SCORE_SOON).count() == 3
    assert not _told("overdue")


def test_the_end_date_itself_is_not_overdue(scoring, clock):
    clock.to(scoring["round"].ends_on)
    send_due_reminders()
    assert not _told("overdue")


def test_overdue_round_goes_once_to_the_office_and_the_chair(scoring, world, clock):
    clock.to(scoring["round"].ends_on + dt.timedelta(days=1))
    overdue_rounds.enqueue(clock.today().isoformat())
    overdue_rounds.enqueue(clock.today().isoformat())
    clock.move(days=20)
    send_due_reminders()
    assert _told("overdue") == ["persona_council", "persona_province"]
    note = Notification.objects.filter(kind="round.overdue").first()
    assert scoring["round"].ends_on.strftime("%d/%m/%Y") in note.title
    # Not the other province, not the central office, not the plain members, not the producer.
    for username in ("persona_province_other", "persona_central", "persona_producer_a", "council_m1"):
        assert username not in _told("overdue")
    assert RoundReminder.objects.filter(kind=RoundReminderKind.OVERDUE).count() == 1


def test_no_overdue_reminder_once_every_scoring_is_closed(scoring, clock):
    evaluation, members = scoring["evaluation"], scoring["members"]
    sheet = get_rulebook(evaluation.rulebook).sheet(evaluation.sheet)
    for user, lost in zip(members, (20, 21, 22, 23, 24), strict=True):
        declare_and_score(evaluation, user, lowered(sheet, lost))
    actions.close_evaluation(evaluation, actor=members[0])
    clock.to(scoring["round"].ends_on + dt.timedelta(days=1))
    assert send_due_reminders().total == 0


def test_an_overdue_central_round_goes_to_the_central_office(world, clock):
    clock.to(dt.date(2026, 9, 1))
    dossier = forwarded(world)
    round_ = Round.objects.create(
        level=Level.CENTRAL,
        year=2026,
        number=3,
        rulebook=dossier.rulebook,
        proposals_by=dt.date(2026, 9, 5),
        ends_on=dt.date(2026, 9, 30),
    )
    council = Council.objects.create(round=round_, level=Level.CENTRAL)
    chair = council_user(world, "c-chair", role=Role.CENTRAL)
    CouncilMember.objects.create(council=council, user=chair, function=MemberFunction.CHAIR)
    Evaluation.objects.create(round=round_, dossier=dossier, rulebook=dossier.rulebook, sheet=dossier.sheet)
    clock.to(dt.date(2026, 10, 1))
    send_due_reminders()
    assert _told("overdue") == ["council_c-chair", "persona_central"]
