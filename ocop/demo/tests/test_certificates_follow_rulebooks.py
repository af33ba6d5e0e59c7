"""Every demo certificate against the rulebook data (ocop.rules) in force on its issue day.

test_demo.py checks the plan against its own constants; this holds the loaded
certificates to the rulebooks themselves: the rulebook recorded is the one in
force, the validity is the rulebook's, the star is certified by it, the score
falls in the star's band, and the issuing body is of the level the rulebook
names for that star.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.certificates.models import Certificate, CertificateSource
from ocop.demo import loader, plan
from ocop.lib.clock import add_months
from ocop.rules.rulebooks import get_rulebook, rulebook_for


@pytest.fixture
def certificates(db) -> list[Certificate]:
    loader.load()
    return list(Certificate.objects.filter(source=CertificateSource.DEMO).order_by("issued_on", "number"))


def _level_of_body(body: str) -> str:
    if body == plan.MINISTRY:
        return "central"
    if body.startswith("UBND tỉnh "):
        return "province"
    if body.startswith(("UBND huyện ", "UBND thị xã ", "UBND thành phố ")):
        return "district"
    raise AssertionError(f"unknown issuing body: {body}")


def test_each_certificate_matches_the_rulebook_in_force_on_its_issue_day(certificates):
    assert len(certificates) > 250
    for cert in certificates:
        rulebook = get_rulebook(cert.rulebook)
        assert rulebook_for(cert.issued_on) == rulebook, cert.number
        months = rulebook.procedure.certificate_validity_months
        assert months == 36, rulebook.code
        assert cert.expires_on == add_months(cert.issued_on, months), cert.number
        assert rulebook.certifies(cert.star) and cert.star >= 3, cert.number
        assert rulebook.band_for(cert.score) == cert.star, (cert.number, cert.score, cert.star)
        assert _level_of_body(cert.issuing_body) == rulebook.level_for(cert.star), (
            cert.number,
            cert.issuing_body,
            cert.issued_on,
        )
        assert cert.decision_date == cert.issued_on and cert.decision_number, cert.number


def test_rulebooks_of_every_period_are_used(certificates):
    used = {get_rulebook(c.rulebook).code for c in certificates}
    assert used == {"qd-1048-2019", "qd-148-2023", "qd-148-2023-1489-2025", "qd-26-2026"}
    # Districts recognised 3★ only while QĐ 148/2023 said so; never after the merger.
    district = [c for c in certificates if _level_of_body(c.issuing_body) == "district"]
    assert district and all(c.star == 3 and get_rulebook(c.rulebook).code == "qd-148-2023" for c in district)
    assert all(c.issued_on < plan.MERGER_DAY for c in district)


def test_a_product_holds_one_certificate_at_a_time_except_an_upgrade(certificates):
    by_product: dict[int, list[Certificate]] = {}
    for cert in certificates:
        by_product.setdefault(cert.product_id, []).append(cert)
    assert len(by_product) == 180
    for chain in by_product.values():
        for previous, following in zip(chain, chain[1:], strict=False):
            if following.issued_on <= previous.expires_on:
                # Only a higher star replaces a certificate still in force (the lychee's 5★ in 2024).
                assert following.star > previous.star, (previous.number, following.number)


def test_no_decision_between_the_merger_and_the_amendment():
    """Districts were gone from 1/7/2025 and QĐ 1489/2025 moved 3★ to the province from 6/7/2025."""
    days = [c.issued_on for _, product in plan.build_plan().products() for c in product.certificates]
    assert not [day for day in days if plan.MERGER_DAY <= day < plan.AMENDMENT_DAY]
    assert plan._decision_day(plan.MERGER_DAY) == dt.date(2025, 7, 7)  # 6/7/2025 was a Sunday
