import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # The failure and report counters live in the cache: each test starts from zero, whatever other runs did.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"scans-{uuid.uuid4()}"}
    }
