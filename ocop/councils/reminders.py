"""The daily sweep of the rounds' end dates (Điều 5: each round is completed by its end date).

- A round whose end date has passed while dossiers are still being scored
  (the rounds list flags it "overdue"): the OCOP office that runs the round
  (provincial, or central) and the council's chair are told, once per round.
- In the last days before a round ends (7 days by default): each member who
  still has dossiers of the round to score — not scored yet and no conflict of
  interest declared — is reminded, once per member and round.

A `RoundReminder` row is written in the same transaction as the
notifications, so running the sweep twice sends each reminder once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.councils.models import (
    ConflictDeclaration,
    CouncilMember,
    Evaluation,
    EvaluationStatus,
    Level,
    MemberFunction,
    Round,
    RoundReminder,
    RoundReminderKind,
    Scoring,
)
from ocop.lib import clock
from ocop.notifications.actions import deliver_emails, notify_once

logger = logging.getLogger(__name__)

# Members who still have to score are reminded from this many days before the round's end date.
SCORE_REMINDER_LEAD_DAYS = 7


@dataclass
class SweepResult:
    day: dt.date
    sent: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    emails: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def count(self, kind: str, made: list) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + 1
        self.notifications += len(made)


def _scoring_open() -> Exists:
    return Exists(Evaluation.objects.filter(round=OuterRef("pk"), status=EvaluationStatus.SCORING))


def overdue_rounds_on(day: dt.date) -> list[Round]:
    """Rounds whose end date is before `day` with dossiers still being scored, not reminded yet."""
    sent = RoundReminder.objects.filter(round=OuterRef("pk"), kind=RoundReminderKind.OVERDUE, member__isnull=True)
    return list(
        Round.objects.filter(_scoring_open(), ends_on__lt=day)
        .exclude(Exists(sent))
        .select_related("province")
        .order_by("ends_on", "pk")
    )


def ending_rounds_on(day: dt.date) -> list[Round]:
    """Rounds ending within the reminder lead on `day` (end date included) with dossiers still being scored."""
    return list(
        Round.objects.filter(
            _scoring_open(), ends_on__gte=day, ends_on__lte=day + dt.timedelta(days=SCORE_REMINDER_LEAD_DAYS)
        )
        .select_related("province")
        .order_by("ends_on", "pk")
    )


def office_and_chair(round_: Round) -> list[Any]:
    """The OCOP office that runs the round (provincial, or central) and the chair of its council."""
    from ocop.councils.actions import _central_office, _office

    users = list(_central_office() if round_.level == Level.CENTRAL else _office(round_.province_id))
    chair = (
        CouncilMember.objects.filter(council__round=round_, function=MemberFunction.CHAIR)
        .select_related("user")
        .first()
    )
    if chair is not None:
        users.append(chair.user)
    return users


def still_to_score(round_: Round, member: CouncilMember) -> int:
    """Dossiers of `round_` still being scored that `member` has neither scored nor declared a conflict for."""
    scored = Scoring.objects.filter(member=member, is_current=True).values("evaluation_id")
    conflicted = ConflictDeclaration.objects.filter(member=member, has_conflict=True).values("evaluation_id")
    return (
        Evaluation.objects.filter(round=round_, status=EvaluationStatus.SCORING)
        .exclude(pk__in=scored)
        .exclude(pk__in=conflicted)
        .count()
    )


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _record_and_notify(
    round_: Round, kind: str, day: dt.date, users: list[Any], title: str, body: str, member: CouncilMember | None
) -> list | None:
    """Write the reminder row and its notifications together; None when it had been sent already."""
    return notify_once(
        lambda: RoundReminder.objects.create(round=round_, kind=kind, member=member, sent_on=day),
        users=lambda: users,
        kind=f"round.{kind}",
        message=lambda: (title, body),
        link=round_.get_absolute_url(),
    )


def send_overdue(round_: Round, day: dt.date) -> list | None:
    open_count = Evaluation.objects.filter(round=round_, status=EvaluationStatus.SCORING).count()
    with translation.override(settings.LANGUAGE_CODE):
        values = {"round": str(round_), "end": _d(round_.ends_on), "count": open_count}
        title = _("%(round)s: the evaluation was not completed by %(end)s") % values
        body = (
            _(
                "The round was to be completed by %(end)s (QĐ 26/2026, Article 5). "
                "Dossiers still being scored: %(count)s. The chair closes the scoring of each dossier."
            )
            % values
        )
    return _record_and_notify(round_, RoundReminderKind.OVERDUE, day, office_and_chair(round_), title, body, None)


def send_score_reminder(round_: Round, member: CouncilMember, count: int, day: dt.date) -> list | None:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"round": str(round_), "end": _d(round_.ends_on), "count": count}
        title = _("%(round)s ends on %(end)s: your scoring is awaited") % values
        body = (
            _(
                "Dossiers you have not scored yet: %(count)s. Declare any conflict of interest and score them "
                "by %(end)s."
            )
            % values
        )
    return _record_and_notify(round_, RoundReminderKind.SCORE_SOON, day, [member.user], title, body, member)


def send_due_reminders(day: dt.date | None = None) -> SweepResult:
    """The daily sweep for `day` (the clock's today by default)."""
    day = day or clock.today()
    result = SweepResult(day=day)
    made_all: list = []
    for round_ in overdue_rounds_on(day):
        made = send_overdue(round_, day)
        if made is not None:
            result.count(RoundReminderKind.OVERDUE.value, made)
            made_all.extend(made)
    for round_ in ending_rounds_on(day):
        reminded = set(
            RoundReminder.objects.filter(round=round_, kind=RoundReminderKind.SCORE_SOON).values_list(
                "member_id", flat=True
            )
        )
        members = (
            CouncilMember.objects.scoring()
            .filter(council__round=round_)
            .exclude(pk__in=reminded)
            .select_related("user")
            .order_by("pk")
        )
        for member in members:
            count = still_to_score(round_, member)
            if not count:
                continue
            made = send_score_reminder(round_, member, count, day)
            if made is not None:
                result.count(RoundReminderKind.SCORE_SOON.value, made)
                made_all.extend(made)
    # Mail goes out after the reminders are committed (mail is not transactional).
    result.emails = deliver_emails(made_all)
    logger.info(
        "round reminders for %s: %s (%s notifications, %s e-mails)",
        day,
        result.sent,
        result.notifications,
        result.emails,
    )
    return result
