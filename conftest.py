"""Shared pytest fixtures: the persona world and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from ocop.testing import PERSONAS, World, build_world, login


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is deliberately slow; tests use a fast hasher. Uploaded files go
    # to a per-test folder; background tasks run inline.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World):
    """client_for("producer_a") → a Client logged in as that persona; "anonymous" → logged out."""

    def make(persona: str) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        return login(client, world.user(persona))

    return make


@pytest.fixture(params=PERSONAS + ("anonymous",))
def persona(request) -> str:
    return request.param
