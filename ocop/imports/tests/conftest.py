import pytest


@pytest.fixture(autouse=True)
def _local_cache(settings):
    # Progress lives in the cache; tests keep it in memory, away from the data folder.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
