"""Objects for the API and open-data tests (and the authorization table)."""

from __future__ import annotations

from ocop.certificates import actions
from ocop.certificates.models import Certificate, Revocation, RevocationGround
from ocop.lib import clock
from ocop.testing import make_evidence


def _revoker(certificate: Certificate, world) -> str:
    # The authority that recognised the rating: the central office for 5 stars, else the product's province.
    if certificate.star == 5:
        return "central"
    return "province_other" if certificate.product.province_id == world.ha_noi.pk else "province"


def revoke(certificate: Certificate, world) -> Revocation:
    actions.revoke_certificate(
        certificate,
        ground=RevocationGround.MARK_MISUSE,
        finding_date=clock.today(),
        decision_number="9/QĐ-UBND",
        decision_date=clock.today(),
        evidence=[make_evidence(certificate.product.producer)],
        actor=world.user(_revoker(certificate, world)),
    )
    return Revocation.objects.get(certificate=certificate)
