"""The numbers of a certificate's life: validity, re-evaluation window, deadlines, who certifies.

Until the rulebooks are loaded as data (`ocop/rules`), these numbers live in
the table below, and only here. Everything in this app asks `policy_for()`
(or `policy_on()`), so switching to the rulebook data means changing those two
functions, not their callers.

A procedural step follows the rulebook in force on the day it is taken
(QĐ 26/2026 Điều 12: certificates issued before keep their expiry date, the
procedure after 22/5/2026 is the new one), so the policy of a certificate is
the one in force on the day asked about, not the one it was issued under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ocop.lib import clock

PROVINCE = "province"
CENTRAL = "central"
DISTRICT = "district"


@dataclass(frozen=True)
class Policy:
    rulebook: str
    in_force_from: dt.date
    # Điều 7.6: certificates are valid 36 months.
    validity_months: int = 36
    # Điều 7.6.a: a re-evaluation is filed no earlier than 180 and no later than 120 days before expiry…
    reevaluation_opens_days: int = 180
    reevaluation_closes_days: int = 120
    # …and decided within 45 days (Điều 7.6.g).
    reevaluation_decision_days: int = 45
    # Điều 12.3: a certificate whose re-evaluation could not be filed in the
    # window stays valid until decided, at most 180 days after expiry.
    extension_max_days: int = 180
    # Điều 8.4: revocation within 15 days of the finding.
    revocation_days: int = 15
    # Only 3★–5★ products are recognised and certified.
    lowest_certified_star: int = 3
    # Who recognises, certifies and revokes each star (Điều 7.3–7.4, 8.2).
    certifying_level: MappingProxyType[int, str] = field(
        default_factory=lambda: MappingProxyType({3: PROVINCE, 4: PROVINCE, 5: CENTRAL})
    )
    # Reminders (platform practice, not law): the "window closes soon" reminder
    # goes out this many days before the window closes; the expiry reminder is
    # still sent this many days late when the daily sweep could not run on the day.
    closing_reminder_lead_days: int = 10
    expiry_reminder_grace_days: int = 30

    def level_for(self, star: int) -> str | None:
        return self.certifying_level.get(star)

    def window(self, expires_on: dt.date) -> tuple[dt.date, dt.date]:
        """First and last day on which a re-evaluation of a certificate expiring on `expires_on` may be filed."""
        return (
            expires_on - dt.timedelta(days=self.reevaluation_opens_days),
            expires_on - dt.timedelta(days=self.reevaluation_closes_days),
        )

    def expiry_for(self, issued_on: dt.date) -> dt.date:
        return clock.add_months(issued_on, self.validity_months)


# Newest first. The rulebook data will supply these rows (with their validity
# dates). Only QĐ 26/2026's numbers matter for steps taken from 22/5/2026; the
# older rows differ only in who certified, which the registry shows for old
# certificates.
POLICIES: tuple[Policy, ...] = (
    Policy(rulebook="qd-26-2026", in_force_from=dt.date(2026, 5, 22)),
    # QĐ 148/2023 as amended by QĐ 1489/2025: communes pre-check, provinces certify 3–4★.
    Policy(rulebook="qd-148-2023-1489-2025", in_force_from=dt.date(2025, 7, 6)),
    # QĐ 148/2023 before the amendment: districts certified 3★.
    Policy(
        rulebook="qd-148-2023",
        in_force_from=dt.date(2023, 2, 24),
        certifying_level=MappingProxyType({3: DISTRICT, 4: PROVINCE, 5: CENTRAL}),
    ),
    Policy(rulebook="qd-1048-2019", in_force_from=dt.date(2019, 8, 7)),
)


def policy_on(day: dt.date | None = None) -> Policy:
    """The policy in force on `day` (the clock's today by default)."""
    day = day or clock.today()
    for policy in POLICIES:
        if day >= policy.in_force_from:
            return policy
    return POLICIES[-1]


def policy_for(certificate: Any = None, day: dt.date | None = None) -> Policy:
    """The policy that governs `certificate` on `day`: the one in force that day (see the module docstring)."""
    return policy_on(day)
