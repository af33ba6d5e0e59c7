from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ocop.accounts.tests.util import events, post_login
from ocop.audit.models import Action
from ocop.testing import PERSONA_PASSWORD

NEW_PASSWORD = "Mat-khau-moi-2026!"


def test_security_page_needs_login(world):
    response = Client().get(reverse("accounts:security"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_change_keeps_the_session_and_is_audited(world, client_for):
    client = client_for("producer_a")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = world.user("producer_a")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in on this session.
    assert client.get(reverse("accounts:security")).status_code == 200
    changed = events(Action.PASSWORD_CHANGED, actor=user)
    assert len(changed) == 1
    assert NEW_PASSWORD not in changed[0].note and PERSONA_PASSWORD not in changed[0].note
    assert post_login(Client(), "persona_producer_a", NEW_PASSWORD).status_code == 302


def test_password_change_with_wrong_old_password_is_refused(world, client_for):
    client = client_for("producer_a")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["password_form"].errors["old_password"]
    assert b'aria-invalid="true"' in response.content
    user = world.user("producer_a")
    user.refresh_from_db()
    assert user.check_password(PERSONA_PASSWORD)
    assert not events(Action.PASSWORD_CHANGED)


def test_password_change_needs_post(world, client_for):
    assert client_for("producer_a").get(reverse("accounts:password_change")).status_code == 405


def test_producer_page_shows_pending_status(world, client_for):
    client = client_for("producer_pending")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:security")).content
    assert b"HTX Persona Pending" in html
    assert b"must verify the producer" in html
    assert reverse("accounts:recovery_regenerate").encode() not in html
    assert reverse("accounts:otp_enroll").encode() in html
