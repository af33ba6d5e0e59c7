"""Certificates of the persona world, issued relative to the platform clock's today."""

from __future__ import annotations

import pytest

from ocop.certificates.models import Certificate

from .util import make_certificate


@pytest.fixture
def cert_a(world) -> Certificate:
    """A 4★ certificate of product A (Bắc Ninh, producer A), issued 100 days ago."""
    return make_certificate(world.product_a, star=4)


@pytest.fixture
def cert_five(world) -> Certificate:
    """A 5★ certificate of product B (Bắc Ninh, producer B)."""
    return make_certificate(world.product_b, star=5)
