"""Issuing a certificate (only 3★–5★, by the certifying authority) and the transition extension."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.certificates import actions
from ocop.certificates.models import Certificate, CertificateStatus
from ocop.lib import clock
from ocop.notifications.models import Notification

from .util import make_certificate


def _issue(world, star, actor="province", **kw):
    return actions.issue_certificate(
        world.product_a,
        star=star,
        decision_number="45/QĐ-UBND",
        decision_date=clock.today(),
        score=75,
        actor=world.user(actor) if actor else None,
        **kw,
    )


@pytest.mark.parametrize("star", [1, 2])
def test_one_and_two_stars_get_no_certificate(world, star):
    with pytest.raises(ValidationError) as refused:
        _issue(world, star)
    assert "star" in refused.value.message_dict
    assert not Certificate.objects.exists()


def test_the_refusal_is_translated(world):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        _issue(world, 2)
    assert "Chỉ sản phẩm đạt từ 3 đến 5 sao" in refused.value.message_dict["star"][0]


def test_issue_a_four_star_certificate(world):
    certificate = _issue(world, 4)
    assert certificate.expires_on == clock.add_months(clock.today(), 36)
    assert certificate.number.startswith(f"OCOP-24-{clock.today().year}-")
    assert certificate.issuing_body == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert certificate.rulebook == "qd-26-2026" and certificate.source == "evaluation"
    assert certificate.status == CertificateStatus.VALID
    assert AuditEvent.objects.filter(model="certificates.Certificate", object_id=str(certificate.pk)).exists()
    # The producer's account and the provincial office hear about it.
    assert set(Notification.objects.filter(kind="certificate.issued").values_list("user__username", flat=True)) == {
        "persona_producer_a",
        "persona_province",
    }


def test_only_the_certifying_authority_issues(world):
    with pytest.raises(PermissionDenied):
        _issue(world, 4, actor="province_other")
    with pytest.raises(PermissionDenied):
        _issue(world, 4, actor="central")
    with pytest.raises(PermissionDenied):
        _issue(world, 5, actor="province")
    assert not Certificate.objects.exists()
    five = _issue(world, 5, actor="central")
    assert five.issuing_body == "Bộ Nông nghiệp và Môi trường"
    assert _issue(world, 3, actor="admin").star == 3
    # Without an actor (the evaluation workflow's own call, a command) the rules on the data still apply.
    assert _issue(world, 4, actor=None).star == 4


def test_missing_decision_and_future_dates_are_refused(world):
    with pytest.raises(ValidationError) as refused:
        actions.issue_certificate(world.product_a, star=4, decision_number=" ", decision_date=None)
    assert {"decision_number", "decision_date"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        actions.issue_certificate(
            world.product_a, star=4, decision_number="1", decision_date=clock.today() + dt.timedelta(days=1)
        )
    assert "decision_date" in refused.value.message_dict
    assert not Certificate.objects.exists()


def test_a_new_certificate_ends_the_extension_of_the_old_one(world, clock):
    old = make_certificate(world.product_a, star=3, issued_on=clock.add_months(clock.today(), -37))
    old.extended_until = old.expires_on + dt.timedelta(days=180)
    old.save()
    assert old.status == CertificateStatus.EXTENDED
    new = _issue(world, 4)
    old.refresh_from_db()
    assert old.extended_until == new.issued_on - dt.timedelta(days=1)
    assert old.status == CertificateStatus.EXPIRED


# --- Extension (Điều 12.3) ------------------------------------------------------------------------------------
@pytest.fixture
def expired_a(world, clock):
    certificate = make_certificate(world.product_a, star=4, issued_on=clock.add_months(clock.today(), -36))
    clock.move(days=10)
    assert certificate.status == CertificateStatus.EXPIRED
    return certificate


def test_office_extends_an_expired_certificate(expired_a, client_for):
    url = reverse("certificates:extend", args=[expired_a.pk])
    until = expired_a.expires_on + dt.timedelta(days=90)
    response = client_for("province").post(url, {"until": until.isoformat(), "reason": "Hồ sơ nộp trễ do sáp nhập"})
    assert response.status_code == 302
    expired_a.refresh_from_db()
    assert expired_a.extended_until == until
    assert expired_a.status == CertificateStatus.EXTENDED
    assert AuditEvent.objects.filter(model="certificates.Certificate", object_id=str(expired_a.pk), action="update")


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(181, "quá hạn", "until"), (0, "trùng ngày", "until"), (90, "  ", "reason")],
)
def test_extension_limits(expired_a, client_for, days, reason, field):
    until = expired_a.expires_on + dt.timedelta(days=days)
    response = client_for("province").post(
        reverse("certificates:extend", args=[expired_a.pk]), {"until": until.isoformat(), "reason": reason}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    expired_a.refresh_from_db()
    assert expired_a.extended_until is None


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("province", 200),
        ("admin", 200),
        ("central", 403),
        ("commune", 403),
        ("producer_a", 403),
        ("province_other", 404),
    ],
)
def test_who_may_extend(expired_a, client_for, persona, expected):
    assert client_for(persona).get(reverse("certificates:extend", args=[expired_a.pk])).status_code == expected


def test_the_database_refuses_a_two_star_certificate_too(world):
    """Whoever writes a certificate without the action (an import, a shell) meets the same rule."""
    from django.db import IntegrityError, transaction

    from .util import make_certificate

    certificate = Certificate(
        product=world.product_a, star=2, issued_on=clock.today(), expires_on=clock.add_months(clock.today(), 36)
    )
    with pytest.raises(ValidationError) as refused:
        certificate.full_clean()
    assert refused.value.messages == ["Chỉ sản phẩm đạt từ 3 đến 5 sao mới được cấp giấy chứng nhận OCOP."]
    with pytest.raises(IntegrityError), transaction.atomic():
        make_certificate(world.product_a, star=2)
    assert not Certificate.objects.exists()
