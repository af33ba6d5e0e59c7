from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import LoginAttempt
from ocop.accounts.tests.util import events, post_login
from ocop.audit.models import Action
from ocop.testing import PERSONA_PASSWORD


def test_login_page_renders_for_anonymous(world):
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'for="id_username"' in response.content


def test_producer_logs_in_with_right_password(world):
    client = Client()
    response = post_login(client, "persona_producer_a")
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("accounts:security")).context["user"] == world.user("producer_a")


def test_login_follows_safe_next_and_ignores_foreign_next(world):
    client = Client()
    target = reverse("accounts:security")
    response = client.post(
        reverse("accounts:login"), {"username": "persona_producer_a", "password": PERSONA_PASSWORD, "next": target}
    )
    assert response.url == target
    other = Client()
    response = other.post(
        reverse("accounts:login"),
        {"username": "persona_producer_a", "password": PERSONA_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)


def test_wrong_password_is_refused_with_the_same_message_as_an_unknown_user(world):
    client = Client()
    wrong = post_login(client, "persona_producer_a", "not-the-password")
    unknown = post_login(client, "nobody_by_that_name", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "_auth_user_id" not in client.session
    wrong_errors = wrong.context["form"].non_field_errors()
    assert wrong_errors == unknown.context["form"].non_field_errors()
    assert len(wrong_errors) == 1
    # The typed username is kept, the password is not echoed back.
    assert b'value="persona_producer_a"' in wrong.content
    assert b"not-the-password" not in wrong.content


def test_error_message_is_translated(world):
    client = Client()
    response = post_login(client, "persona_producer_a", "nope")
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()


def test_session_key_rotates_at_login(world):
    client = Client()
    session = client.session
    session["before_login"] = "x"
    session.save()
    old_key = session.session_key
    assert Session.objects.filter(session_key=old_key).exists()
    post_login(client, "persona_producer_a")
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_every_attempt_is_logged(world):
    client = Client()
    post_login(client, "persona_producer_a", "wrong", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="TestBrowser/1")
    post_login(client, "ghost", "wrong", REMOTE_ADDR="203.0.113.7")
    post_login(client, "persona_producer_a", REMOTE_ADDR="203.0.113.7")
    rows = list(LoginAttempt.objects.order_by("id").values_list("username", "ip", "success", "stage", "user_agent"))
    assert rows == [
        ("persona_producer_a", "203.0.113.7", False, "password", "TestBrowser/1"),
        ("ghost", "203.0.113.7", False, "password", ""),
        ("persona_producer_a", "203.0.113.7", True, "password", ""),
    ]
    assert LoginAttempt.objects.get(success=True).user == world.user("producer_a")


def test_login_and_failures_are_audited_without_the_password(world):
    client = Client()
    post_login(client, "persona_producer_a", "secret-guess-123", REMOTE_ADDR="198.51.100.4")
    post_login(client, "persona_producer_a", REMOTE_ADDR="198.51.100.4")
    failed = events(Action.LOGIN_FAILED)
    assert len(failed) == 1
    assert failed[0].ip == "198.51.100.4"
    assert failed[0].actor is None
    assert "secret-guess-123" not in failed[0].note
    ok = events(Action.LOGIN)
    assert len(ok) == 1
    assert ok[0].actor == world.user("producer_a")
    assert PERSONA_PASSWORD not in ok[0].note


def test_logout_needs_post(world, client_for):
    client = client_for("producer_a")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("accounts:security")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGOUT_REDIRECT_URL)
    assert client.get(reverse("accounts:security")).status_code == 302
    assert [e.actor for e in events(Action.LOGOUT)] == [world.user("producer_a")]


def test_inactive_user_cannot_log_in(world):
    user = world.user("producer_b")
    user.is_active = False
    user.save()
    response = post_login(Client(), "persona_producer_b")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
