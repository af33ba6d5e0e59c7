"""Certificate status on a date: one function, and the queryset filter that mirrors it."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.certificates.models import Certificate, CertificateStatus, certificate_status
from ocop.certificates.policy import policy_for, policy_on
from ocop.lib import clock

from .util import make_certificate

ISSUED = dt.date(2026, 6, 1)
EXPIRES = dt.date(2029, 6, 1)
POLICY = policy_on(dt.date(2026, 6, 1))


def status(day: dt.date, *, revoked_on=None, extended_until=None) -> str:
    return certificate_status(
        issued_on=ISSUED,
        expires_on=EXPIRES,
        revoked_on=revoked_on,
        extended_until=extended_until,
        day=day,
        policy=POLICY,
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (ISSUED - dt.timedelta(days=1), CertificateStatus.NOT_YET_VALID),
        (ISSUED, CertificateStatus.VALID),
        (EXPIRES - dt.timedelta(days=181), CertificateStatus.VALID),
        # The re-evaluation window opens 180 days before expiry: from then on, "expiring".
        (EXPIRES - dt.timedelta(days=180), CertificateStatus.EXPIRING),
        (EXPIRES - dt.timedelta(days=120), CertificateStatus.EXPIRING),
        (EXPIRES - dt.timedelta(days=119), CertificateStatus.EXPIRING),
        # The day of expiry is still in force; the day after is not.
        (EXPIRES, CertificateStatus.EXPIRING),
        (EXPIRES + dt.timedelta(days=1), CertificateStatus.EXPIRED),
    ],
)
def test_status_on_the_edges(day, expected):
    assert status(day) == expected


def test_revoked_from_the_day_of_the_decision():
    revoked = dt.date(2027, 3, 10)
    assert status(revoked - dt.timedelta(days=1), revoked_on=revoked) == CertificateStatus.VALID
    assert status(revoked, revoked_on=revoked) == CertificateStatus.REVOKED
    # Revocation wins over everything, the extension included.
    assert status(
        EXPIRES + dt.timedelta(days=5), revoked_on=revoked, extended_until=EXPIRES + dt.timedelta(days=30)
    ) == (CertificateStatus.REVOKED)


def test_extended_until_the_date_set_by_the_office():
    until = EXPIRES + dt.timedelta(days=180)
    assert status(EXPIRES, extended_until=until) == CertificateStatus.EXPIRING
    assert status(EXPIRES + dt.timedelta(days=1), extended_until=until) == CertificateStatus.EXTENDED
    assert status(until, extended_until=until) == CertificateStatus.EXTENDED
    assert status(until + dt.timedelta(days=1), extended_until=until) == CertificateStatus.EXPIRED


def test_policy_numbers_of_qd_26_2026():
    policy = policy_on(dt.date(2026, 5, 22))
    assert policy.rulebook == "qd-26-2026"
    assert (policy.validity_months, policy.reevaluation_opens_days, policy.reevaluation_closes_days) == (36, 180, 120)
    assert policy.reevaluation_decision_days == 45
    assert [policy.level_for(s) for s in (3, 4, 5)] == ["province", "province", "central"]
    assert policy.window(EXPIRES) == (EXPIRES - dt.timedelta(days=180), EXPIRES - dt.timedelta(days=120))
    assert policy.expiry_for(dt.date(2026, 8, 31)) == dt.date(2029, 8, 31)
    # Before 22/5/2026 the previous rulebook applies; in 2024 districts certified 3★.
    assert policy_on(dt.date(2026, 5, 21)).rulebook == "qd-148-2023-1489-2025"
    assert policy_on(dt.date(2024, 1, 1)).level_for(3) == "district"


def test_the_queryset_filter_agrees_with_the_function_on_every_day(world, clock):
    """with_status() and status_on() are the same rule: checked day by day around every edge."""
    clock.to(dt.date(2026, 6, 1))
    plain = make_certificate(world.product_a, star=3, issued_on=dt.date(2026, 6, 1), number="P")
    revoked = make_certificate(
        world.product_b, star=4, issued_on=dt.date(2026, 6, 1), number="R", revoked_on=dt.date(2029, 3, 1)
    )
    extended = make_certificate(
        world.product_c, star=4, issued_on=dt.date(2026, 6, 1), number="E", extended_until=dt.date(2029, 9, 1)
    )
    statuses = [s.value for s in CertificateStatus]
    days = [
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 1),
        dt.date(2028, 12, 2),
        dt.date(2028, 12, 3),
        dt.date(2029, 2, 28),
        dt.date(2029, 3, 1),
        dt.date(2029, 6, 1),
        dt.date(2029, 6, 2),
        dt.date(2029, 9, 1),
        dt.date(2029, 9, 2),
    ]
    for day in days:
        for certificate in (plain, revoked, extended):
            expected = certificate.status_on(day)
            found = [s for s in statuses if Certificate.objects.with_status(s, day).filter(pk=certificate.pk).exists()]
            assert found == [expected], (certificate.number, day, found, expected)
            in_force = Certificate.objects.valid_on(day).filter(pk=certificate.pk).exists()
            assert in_force == (expected in ("valid", "expiring", "extended")), (certificate.number, day)


def test_status_follows_the_platform_clock(world, clock):
    certificate = make_certificate(world.product_a, star=4, issued_on=clock.today())
    assert certificate.status == CertificateStatus.VALID
    clock.move(months=33)
    assert certificate.status == CertificateStatus.EXPIRING
    clock.move(months=3, days=1)
    assert certificate.status == CertificateStatus.EXPIRED
    assert policy_for(certificate).rulebook == "qd-26-2026"


def test_clock_offset_setting_and_travel_nest(settings):
    real = clock.today()
    settings.OCOP_CLOCK_OFFSET_DAYS = 10
    assert clock.today() == real + dt.timedelta(days=10)
    with clock.travel(days=5):
        assert clock.today() == real + dt.timedelta(days=15)
        with clock.travel(to=dt.date(2030, 1, 31)):
            assert clock.today() == dt.date(2030, 1, 31)
            with clock.travel(months=1):
                assert clock.today() == dt.date(2030, 2, 28)
        assert clock.today() == real + dt.timedelta(days=15)
    assert clock.today() == real + dt.timedelta(days=10)
    settings.OCOP_CLOCK_OFFSET_DAYS = 0
    assert clock.today() == real


def test_clock_offset_is_refused_in_production(monkeypatch, tmp_path):
    import subprocess
    import sys

    key = tmp_path / "key"
    key.write_text("k" * 60)
    env = {
        "OCOP_PRODUCTION": "true",
        "SECRET_KEY_FILE": str(key),
        "ALLOWED_HOSTS": "ocop.example",
        "OCOP_CLOCK_OFFSET_DAYS": "30",
        "OCOP_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import ocop.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(tmp_path.parent),
    )
    assert result.returncode != 0
    assert "OCOP_CLOCK_OFFSET_DAYS" in result.stderr
