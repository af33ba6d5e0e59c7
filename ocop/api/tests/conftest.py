"""API clients that carry a token of a persona."""

from __future__ import annotations

import pytest
from django.test import Client

from ocop.api.tokens import create_token


def token_client(secret: str | None) -> Client:
    if secret is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def api_for(world):
    """api_for("producer_a") → a Client sending a fresh API token of that persona; "anonymous" → no token."""

    def make(persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return token_client(create_token(world.user(persona), f"test {persona}").secret)

    return make
