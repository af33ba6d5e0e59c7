from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocop.accounts import throttle
from ocop.accounts.models import LoginAttempt
from ocop.accounts.tests.util import events, post_login
from ocop.audit.models import Action


def _age_attempts(seconds: int, **filters) -> None:
    """Move logged attempts back in time, as if `seconds` had passed."""
    for attempt in LoginAttempt.objects.filter(**filters):
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=attempt.at - timedelta(seconds=seconds))


def test_account_cools_off_after_max_failures_then_works_after_the_window(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_WINDOW_SECONDS = 600
    client = Client()
    for _ in range(3):
        assert post_login(client, "persona_producer_a", "wrong").status_code == 200

    # Even the right password is refused during the cool-off, with a
    # translated message that says when to retry.
    refused = post_login(client, "persona_producer_a")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    text = refused.content.decode()
    assert "Quá nhiều lần đăng nhập sai" in text
    assert "10 phút" in text

    # The refused attempt is logged (not as a failure) and audited.
    last = LoginAttempt.objects.latest("id")
    assert (last.success, last.refused) == (False, True)
    throttled = events(Action.LOGIN_THROTTLED)
    assert len(throttled) == 1
    assert "persona_producer_a" in throttled[0].note

    # Retrying during the cool-off does not extend it: once the failures
    # leave the window the right password works.
    _age_attempts(601)
    assert post_login(client, "persona_producer_a").status_code == 302
    assert client.session["_auth_user_id"] == str(world.user("producer_a").pk)


def test_cool_off_ends_when_the_oldest_counted_failure_leaves_the_window(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_WINDOW_SECONDS = 600
    now = timezone.now()
    for age in (500, 100):
        attempt = throttle.log_attempt("persona_producer_a", "192.0.2.1", success=False)
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=now - timedelta(seconds=age))
    decision = throttle.check("persona_producer_a", "192.0.2.1", now=now)
    assert not decision.allowed
    assert decision.reason == "account"
    assert decision.retry_at == now - timedelta(seconds=500) + timedelta(seconds=600)
    assert throttle.check("persona_producer_a", "192.0.2.1", now=now + timedelta(seconds=101)).allowed


def test_cool_off_is_per_account_and_case_insensitive(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    client = Client()
    post_login(client, "persona_producer_a", "wrong")
    post_login(client, "PERSONA_PRODUCER_A", "wrong")
    assert post_login(client, "persona_producer_a").status_code == 429
    # Another account from the same address is not affected.
    assert post_login(Client(), "persona_producer_b").status_code == 302


def test_unknown_usernames_are_throttled_like_real_ones(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    client = Client()
    post_login(client, "no_such_user", "a")
    post_login(client, "no_such_user", "b")
    response = post_login(client, "no_such_user", "c")
    assert response.status_code == 429


def test_ip_limit_blocks_unknown_accounts_but_not_a_user_known_from_that_ip(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 100
    office = {"REMOTE_ADDR": "203.0.113.50"}
    # producer_a logged in from the office's shared address last week.
    post_login(Client(), "persona_producer_a", **office)
    _age_attempts(7 * 24 * 3600)
    # Somebody behind the same NAT guesses passwords for other accounts.
    for name in ("x1", "x2", "x3", "persona_producer_b"):
        post_login(Client(), name, "guess", **office)

    # A stranger account (even with the right password) is refused from that IP…
    refused = post_login(Client(), "persona_producer_b", **office)
    assert refused.status_code == 429
    assert "limit per ip" in events(Action.LOGIN_THROTTLED)[-1].note
    # …but producer_a, known from that IP, still gets in…
    assert post_login(Client(), "persona_producer_a", **office).status_code == 302
    # …and producer_b gets in from another address.
    assert post_login(Client(), "persona_producer_b", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_ip_exemption_expires_after_thirty_days(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 2
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 100
    office = {"REMOTE_ADDR": "203.0.113.60"}
    post_login(Client(), "persona_producer_a", **office)
    _age_attempts((throttle.KNOWN_IP_DAYS + 1) * 24 * 3600)
    post_login(Client(), "x1", "guess", **office)
    post_login(Client(), "x2", "guess", **office)
    assert post_login(Client(), "persona_producer_a", **office).status_code == 429


def test_login_page_shows_the_timeout_notice(world):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("accounts:login") + "?expired=idle")
    assert "inactivity" in response.content.decode()
