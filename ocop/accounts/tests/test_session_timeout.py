from __future__ import annotations

import time

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ocop.accounts import actions
from ocop.accounts.tests.util import events, post_login
from ocop.audit.models import Action


def _shift(client, **seconds_ago) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_active_session_stays_open(world, client_for):
    client = client_for("producer_a")
    assert client.get(reverse("accounts:security")).status_code == 200
    _shift(client, **{actions.LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT - 120})
    assert client.get(reverse("accounts:security")).status_code == 200
    # The visit counted as activity.
    assert time.time() - client.session[actions.LAST_SEEN_KEY] < 60


def test_idle_session_is_closed(world, client_for):
    client = client_for("producer_a")
    client.get(reverse("accounts:security"))
    _shift(client, **{actions.LAST_SEEN_KEY: settings.SESSION_IDLE_TIMEOUT + 5})
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?expired=idle")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "không hoạt động" in page.content.decode()
    logout = events(Action.LOGOUT, actor=world.user("producer_a"))
    assert len(logout) == 1 and "idle" in logout[0].note


def test_absolute_timeout_closes_even_an_active_session(world, client_for):
    client = client_for("commune")
    client.get(reverse("accounts:security"))
    _shift(
        client,
        **{actions.LOGIN_AT_KEY: settings.SESSION_ABSOLUTE_TIMEOUT + 5, actions.LAST_SEEN_KEY: 10},
    )
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert "expired=absolute" in response.url
    assert client.get(reverse("accounts:security")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_starts_the_session_clock(world):
    client = Client()
    before = time.time()
    post_login(client, "persona_producer_a")
    assert client.session[actions.LOGIN_AT_KEY] >= before
    assert client.session[actions.LAST_SEEN_KEY] >= before
