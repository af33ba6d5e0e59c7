"""API tokens: made on the account's page (shown once, stored as a hash), used as Bearer, revoked, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from ocop.api import tokens
from ocop.api.models import ApiToken
from ocop.api.tests.conftest import token_client
from ocop.audit.models import AuditEvent
from ocop.lib import clock

PRODUCTS = "/api/v1/registry/products/{}"


def _make(client: Client, name: str = "Kho hàng", expires: str = "90"):
    return client.post(reverse("api_tokens:create"), {"name": name, "expires": expires})


def test_token_is_shown_once_and_only_its_hash_is_stored(world, client_for):
    client = client_for("producer_a")
    response = _make(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'value="(ocop_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.user("producer_a"))
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.name, token.key_hash}
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret)
    # The list shows the prefix, never the token again.
    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert token.prefix in listing and secret not in listing
    assert token.expires_at is not None and token.expires_at > clock.now() + dt.timedelta(days=89)
    # The token opens the API as its user.
    assert token_client(secret).get(PRODUCTS.format(world.product_a.pk)).status_code == 200


def test_making_and_revoking_are_audited_with_the_user_as_actor(world, client_for):
    client = client_for("producer_a")
    _make(client)
    token = ApiToken.objects.get()
    created = AuditEvent.objects.filter(model="api.ApiToken", object_id=str(token.pk), action="create").get()
    assert created.actor == world.user("producer_a")
    assert token.key_hash not in str(created.after)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    updated = AuditEvent.objects.filter(model="api.ApiToken", object_id=str(token.pk), action="update").get()
    assert updated.actor == world.user("producer_a")
    assert "revoked_at" in updated.after


def test_revoked_expired_and_unknown_tokens_are_refused(world):
    user = world.user("producer_a")
    made = tokens.create_token(user, "a")
    url = PRODUCTS.format(world.product_a.pk)
    assert token_client(made.secret).get(url).status_code == 200
    tokens.revoke_token(made.token)
    response = token_client(made.secret).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    expired = tokens.create_token(user, "b", expires_at=clock.now() + dt.timedelta(hours=1))
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert token_client(expired.secret).get(url).status_code == 401
    assert token_client("ocop_not-a-token").get(url).status_code == 401
    assert Client(headers={"Authorization": "Basic abc"}).get(url).status_code == 401
    # A deactivated user's tokens stop working at once.
    live = tokens.create_token(user, "c")
    user.is_active = False
    user.save()
    assert token_client(live.secret).get(url).status_code == 401


def test_a_session_does_not_open_the_write_api(world, client_for):
    response = client_for("admin").get(PRODUCTS.format(world.product_a.pk))
    assert response.status_code == 401


def test_last_use_is_recorded_without_auditing_it(world):
    made = tokens.create_token(world.user("producer_a"), "a")
    events = AuditEvent.objects.count()
    token_client(made.secret).get(PRODUCTS.format(world.product_a.pk))
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None
    assert AuditEvent.objects.count() == events


def test_staff_must_pass_the_second_factor(world):
    client = Client()
    client.force_login(world.user("province"))  # password step only
    # The second-factor middleware sends the user to the code page first.
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 302 and "otp" in response["Location"]
    assert not tokens.may_use_tokens(world.user("province"), session_verified=False)
    assert tokens.may_use_tokens(world.user("province"), session_verified=True)
    # A producer needs no authenticator to make a token.
    assert tokens.may_use_tokens(world.user("producer_a"), session_verified=False)


def test_someone_elses_token_cannot_be_revoked(world, client_for):
    made = tokens.create_token(world.user("producer_b"), "b")
    response = client_for("producer_a").post(reverse("api_tokens:revoke", args=[made.token.pk]))
    assert response.status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None


@pytest.mark.parametrize(("name", "expires"), [("", "90"), ("   ", "90"), ("x", "7"), ("x" * 101, "90")])
def test_bad_input_is_refused_with_a_message_and_nothing_made(world, client_for, name, expires):
    response = _make(client_for("producer_a"), name, expires)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode() or "form-errors" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_number_of_active_tokens_is_capped(world, client_for, settings):
    user = world.user("producer_a")
    for n in range(tokens.MAX_TOKENS_PER_USER):
        tokens.create_token(user, f"t{n}")
    response = _make(client_for("producer_a"))
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=user).count() == tokens.MAX_TOKENS_PER_USER


def test_never_expiring_token(world, client_for):
    _make(client_for("producer_a"), expires="never")
    assert ApiToken.objects.get().expires_at is None


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(reverse("api_tokens:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_token_requests_need_no_csrf_token(world):
    # Partner systems send no cookies, so no CSRF token either: the bearer token is the credential.
    made = tokens.create_token(world.user("producer_a"), "a")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {made.secret}"})
    response = client.patch(
        PRODUCTS.format(world.product_a.pk), data='{"story": "Chuyện"}', content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["story"] == "Chuyện"
