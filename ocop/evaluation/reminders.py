"""The daily sweep of the commune's deadline (Điều 7.2: 15 working days to check a dossier).

For every dossier waiting for the commune's check, the sweep works out where
its deadline stands on the day and sends the notice of that stage, once:

- the check is due soon (3 working days or fewer before the deadline): the
  commune officers are told;
- the deadline has passed and the dossier was neither forwarded nor returned:
  the commune officers and the provincial OCOP office are told.

As with the certificate reminders, only the current stage is sent, so a sweep
that first sees a dossier after its deadline does not also send the "due soon"
notice. A `DeadlineReminder` row (unique per dossier, kind and deadline) is
written in the same transaction as the notifications: running the sweep twice
sends each notice once, and a dossier filed again after a return, with a new
deadline, gets its notices again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.evaluation.models import DeadlineReminder, DeadlineReminderKind, Dossier, DossierStatus
from ocop.evaluation.workdays import calendar_for
from ocop.lib import clock
from ocop.lib.workdays import Calendar
from ocop.notifications.actions import deliver_emails, notify_once

logger = logging.getLogger(__name__)

# The "due soon" notice goes out this many working days (or fewer) before the deadline.
DUE_SOON_WORKING_DAYS = 3
# No run of days off is this long, so a deadline further away is never due soon: a cheap first filter.
LOOKAHEAD_DAYS = 31


@dataclass
class SweepResult:
    day: dt.date
    sent: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    emails: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def due_kind(dossier: Dossier, day: dt.date, calendar: Calendar) -> DeadlineReminderKind | None:
    """The notice of the stage `dossier`'s commune check is at on `day`, or None when it is not due yet."""
    deadline = dossier.commune_deadline
    if deadline is None:
        return None
    if day > deadline:
        return DeadlineReminderKind.OVERDUE
    if calendar.working_days_between(day, deadline) <= DUE_SOON_WORKING_DAYS:
        return DeadlineReminderKind.DUE_SOON
    return None


def candidates(day: dt.date) -> list[Dossier]:
    """Dossiers waiting for the commune's check whose deadline is near or past on `day`."""
    return list(
        Dossier.objects.filter(
            status=DossierStatus.SUBMITTED,
            commune_deadline__isnull=False,
            commune_deadline__lte=day + dt.timedelta(days=LOOKAHEAD_DAYS),
        )
        .select_related("product", "producer")
        .prefetch_related("deadline_reminders")
        .order_by("commune_deadline", "pk")
    )


def recipients(dossier: Dossier, kind: str) -> list[Any]:
    """The commune officers of the dossier's commune; for an overdue check, also the provincial OCOP office."""
    from ocop.evaluation.actions import commune_officers, province_officers

    users = commune_officers(dossier)
    if kind == DeadlineReminderKind.OVERDUE:
        users += province_officers(dossier)
    return users


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def message(dossier: Dossier, kind: str) -> tuple[str, str]:
    """Title and body of a notice (in the active language)."""
    from ocop.evaluation.actions import commune_working_days

    values = {
        "number": dossier.registration_number or dossier.pk,
        "product": dossier.product.name,
        "producer": dossier.producer.name,
        "submitted": _d(timezone.localdate(dossier.submitted_at)) if dossier.submitted_at else "—",
        "deadline": _d(dossier.commune_deadline),
        "days": commune_working_days(dossier),
    }
    if kind == DeadlineReminderKind.DUE_SOON:
        title = _("Dossier %(number)s: the commune's check is due by %(deadline)s") % values
        body = (
            _(
                "Check the dossier of %(product)s (%(producer)s), submitted on %(submitted)s, by %(deadline)s: "
                "forward it to the province or return it with reasons."
            )
            % values
        )
    else:
        title = _("Dossier %(number)s: the commune's check is overdue") % values
        body = (
            _(
                "The commune's check of the dossier of %(product)s (%(producer)s), submitted on %(submitted)s, "
                "was due by %(deadline)s (%(days)s working days, QĐ 26/2026, Article 7.2). "
                "The dossier has been neither forwarded nor returned."
            )
            % values
        )
    return title, body


def send_reminder(dossier: Dossier, kind: str, day: dt.date) -> list | None:
    """Record and send one notice; returns the notifications made, or None when it had been sent already."""
    return notify_once(
        lambda: DeadlineReminder.objects.create(
            dossier=dossier, kind=kind, deadline=dossier.commune_deadline, sent_on=day
        ),
        users=lambda: recipients(dossier, kind),
        kind=f"dossier.commune_{kind}",
        message=lambda: message(dossier, kind),
        link=dossier.get_absolute_url(),
    )


def send_due_reminders(day: dt.date | None = None) -> SweepResult:
    """The daily sweep for `day` (the clock's today by default)."""
    day = day or clock.today()
    result = SweepResult(day=day)
    calendars: dict[int, Calendar] = {}
    made_all = []
    for dossier in candidates(day):
        if dossier.submitted_at is not None and timezone.localdate(dossier.submitted_at) > day:
            continue  # a sweep run for a past day: the dossier was not filed yet
        calendar = calendars.get(dossier.province_id)
        if calendar is None:
            calendar = calendars[dossier.province_id] = calendar_for(dossier.province_id)
        kind = due_kind(dossier, day, calendar)
        if kind is None or any(
            r.kind == kind and r.deadline == dossier.commune_deadline for r in dossier.deadline_reminders.all()
        ):
            continue
        made = send_reminder(dossier, kind, day)
        if made is None:
            continue
        result.sent[kind.value] = result.sent.get(kind.value, 0) + 1
        result.notifications += len(made)
        made_all.extend(made)
    # Mail goes out after the notices are committed (mail is not transactional).
    result.emails = deliver_emails(made_all)
    logger.info(
        "commune deadlines for %s: %s (%s notifications, %s e-mails)",
        day,
        result.sent,
        result.notifications,
        result.emails,
    )
    return result
