"""Shared pytest fixtures: the persona world and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client

from ocop.testing import PERSONAS, World, build_world, login


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is deliberately slow; tests use a fast hasher. Uploaded files go
    # to a per-test folder; background tasks run inline; the cache (import
    # progress, scan rate limits) is in memory and empty for every test, so
    # counters never leak from one test (or one run) into the next.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if settings.SCAN_GENERATION_FILE:  # the scan pages' generation starts afresh too
        settings.SCAN_GENERATION_FILE = str(tmp_path / "scan-pages.generation")
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture
def reference_data(transactional_db) -> None:
    """Administrative units and the taxonomy, which come from data migrations.

    Tests that commit (browser tests must, for the live server to see their
    data; so must tests of row locks across connections) end with a flush
    that empties every table, migrations' data included; the next one loads
    it again. Request it before `world` in such
    tests. (serialized_rollback is not used: once Playwright's event loop runs
    in the test thread Django hands out a connection object without the
    serialized copy, and on PostgreSQL the restore collides with the content
    types that a flush recreates.)
    """
    from ocop.geo.loader import load_units
    from ocop.geo.models import AdminUnit
    from ocop.registry.models import ProductCategory, ProductGroup, ProductSet
    from ocop.registry.taxonomy import load_taxonomy

    if not AdminUnit.objects.exists():
        load_units(AdminUnit)
    if not ProductSet.objects.exists():
        load_taxonomy(ProductCategory, ProductGroup, ProductSet)


@pytest.fixture
def clock():
    """Moves the platform's clock (ocop.lib.clock) for one test: `clock.move(months=33)`, `clock.to(date)`.

    The live server of browser tests sees the moved time too (same process).
    """
    from ocop.lib.clock import Traveller

    traveller = Traveller()
    yield traveller
    traveller.reset()
