"""The daily reminder sweep: no certificate silently expires.

For every certificate that is not revoked and not already replaced by a newer
one of the same product, the sweep works out where the certificate stands on
the day and sends the reminder of that stage, once:

- the re-evaluation period is open (from 180 days before expiry);
- it closes soon (10 days before it closes, 120 days before expiry);
- it has closed (until expiry);
- the certificate's validity ends (on the expiry date; still sent up to 30 days
  late if the sweep could not run on the day).

Only the current stage is sent: after a pause (a server down for a week, or a
demo clock moved forward by months) nobody receives a pile of stale
reminders. Each reminder goes to the producer's accounts and to the provincial
OCOP office of the product's province, in the inbox and by e-mail.

Idempotent: a `Reminder` row (unique per certificate and kind) is written in
the same transaction as the notifications, so running the sweep twice — or two
sweeps at once — sends each reminder once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.certificates.models import Certificate, Reminder, ReminderKind
from ocop.certificates.policy import Policy, policy_for, policy_on
from ocop.certificates.querysets import not_revoked_q
from ocop.lib import clock
from ocop.notifications.actions import deliver_emails, notify_once

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    day: dt.date
    sent: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    emails: int = 0

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def due_kind(certificate: Certificate, day: dt.date, policy: Policy) -> ReminderKind | None:
    """The reminder of the stage `certificate` is at on `day`, or None between stages."""
    expires = certificate.expires_on
    opens, closes = policy.window(expires)
    closing_from = closes - dt.timedelta(days=policy.closing_reminder_lead_days)
    if opens <= day < closing_from:
        return ReminderKind.WINDOW_OPENS
    if closing_from <= day <= closes:
        return ReminderKind.WINDOW_CLOSING
    if closes < day < expires:
        return ReminderKind.WINDOW_CLOSED
    if expires <= day <= expires + dt.timedelta(days=policy.expiry_reminder_grace_days):
        return ReminderKind.EXPIRY
    return None


def candidates(day: dt.date) -> list[Certificate]:
    """Certificates that may have a reminder due on `day`."""
    policy = policy_on(day)
    newer = Certificate.objects.filter(
        not_revoked_q(day), product=OuterRef("product"), issued_on__gt=OuterRef("issued_on"), issued_on__lte=day
    )
    return list(
        Certificate.objects.filter(
            not_revoked_q(day),
            issued_on__lte=day,
            expires_on__gte=day - dt.timedelta(days=policy.expiry_reminder_grace_days),
            expires_on__lte=day + dt.timedelta(days=policy.reevaluation_opens_days),
        )
        .exclude(Exists(newer))
        .select_related("product__producer")
        .prefetch_related("reminders")
        .order_by("expires_on", "pk")
    )


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def message(certificate: Certificate, kind: str, policy: Policy) -> tuple[str, str]:
    """Title and body of a reminder (in the active language)."""
    opens, closes = policy.window(certificate.expires_on)
    values = {
        "product": certificate.product.name,
        "number": certificate.number or certificate.pk,
        "star": certificate.star,
        "start": _d(opens),
        "end": _d(closes),
        "expires": _d(certificate.expires_on),
        "max_days": policy.extension_max_days,
    }
    if kind == ReminderKind.WINDOW_OPENS:
        title = _("Re-evaluation of %(product)s: file between %(start)s and %(end)s") % values
        body = (
            _(
                "OCOP certificate %(number)s (%(star)s stars) expires on %(expires)s. "
                "The re-evaluation dossier is filed with the commune no earlier than 180 "
                "and no later than 120 days before expiry: from %(start)s to %(end)s (QĐ 26/2026, Article 7.6)."
            )
            % values
        )
    elif kind == ReminderKind.WINDOW_CLOSING:
        title = _("Re-evaluation of %(product)s: the filing period closes on %(end)s") % values
        body = (
            _(
                "File the re-evaluation dossier with the commune by %(end)s. OCOP certificate %(number)s "
                "(%(star)s stars) expires on %(expires)s."
            )
            % values
        )
    elif kind == ReminderKind.WINDOW_CLOSED:
        title = _("Re-evaluation of %(product)s: the filing period closed on %(end)s") % values
        body = (
            _(
                "OCOP certificate %(number)s (%(star)s stars) expires on %(expires)s. "
                "Without a re-evaluation the product loses its OCOP recognition on that date. "
                "Where the transition rule applies (QĐ 26/2026, Article 12.3) "
                "the provincial OCOP office may keep the certificate in force until the re-evaluation is decided, "
                "at most %(max_days)s days after expiry."
            )
            % values
        )
    else:
        title = _("OCOP certificate %(number)s of %(product)s: validity ends on %(expires)s") % values
        body = (
            _(
                "After %(expires)s the product may no longer carry the OCOP mark under this certificate, "
                "unless it is re-evaluated."
            )
            % values
        )
        if certificate.extended_until:
            body += " " + _("It stays in force until %(date)s under the transition rule.") % {
                "date": _d(certificate.extended_until)
            }
    return title, body


def send_reminder(certificate: Certificate, kind: str, day: dt.date) -> list | None:
    """Record and send one reminder; returns the notifications made, or None when it had been sent already."""
    from ocop.certificates.actions import recipients

    policy = policy_for(certificate, day)
    return notify_once(
        lambda: Reminder.objects.create(certificate=certificate, kind=kind, sent_on=day),
        users=lambda: recipients(certificate),
        kind=f"certificate.{kind}",
        message=lambda: message(certificate, kind, policy),
        link=certificate.get_absolute_url(),
    )


def send_due_reminders(day: dt.date | None = None) -> SweepResult:
    """The daily sweep for `day` (the clock's today by default)."""
    day = day or clock.today()
    result = SweepResult(day=day)
    made_all = []
    for certificate in candidates(day):
        kind = due_kind(certificate, day, policy_for(certificate, day))
        if kind is None or any(r.kind == kind for r in certificate.reminders.all()):
            continue
        made = send_reminder(certificate, kind, day)
        if made is None:
            continue
        result.sent[kind.value] = result.sent.get(kind.value, 0) + 1
        result.notifications += len(made)
        made_all.extend(made)
    # Mail goes out after the reminders are committed (mail is not transactional).
    result.emails = deliver_emails(made_all)
    logger.info(
        "reminders for %s: %s (%s notifications, %s e-mails)", day, result.sent, result.notifications, result.emails
    )
    return result
