"""Tests never touch what isn't theirs: the suite's cache lives in its own Redis database number
under a per-run key prefix, and clearing it deletes only keys with that prefix."""

import os

import pytest
import redis
from django.core.cache import cache

from instaclone.testing import TEST_RUN_KEY_PREFIX, test_cache_settings

REDIS = {"default": {"BACKEND": "instaclone.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}}


def test_clear_deletes_only_this_sites_keys(redis_server, settings):
    db = int(settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[1])
    raw = redis.Redis(host="127.0.0.1", port=redis_server.port, db=db)
    raw.set("another-app:session:1", "keep me")
    raw.set("instaclone:1:production-key", "keep me too")  # the site's own production prefix
    cache.set("mine", 1)
    assert raw.exists(f"{TEST_RUN_KEY_PREFIX}:1:mine")
    cache.clear()
    assert cache.get("mine") is None
    assert raw.get("another-app:session:1") == b"keep me"
    assert raw.get("instaclone:1:production-key") == b"keep me too"


def test_suite_moves_redis_to_its_own_database_and_prefix(monkeypatch):
    monkeypatch.delenv("REDIS_TEST_DB", raising=False)
    moved = test_cache_settings(REDIS)["default"]
    assert moved["LOCATION"] == "redis://127.0.0.1:6379/15"
    assert moved["KEY_PREFIX"] == TEST_RUN_KEY_PREFIX
    monkeypatch.setenv("REDIS_TEST_DB", "9")
    assert test_cache_settings(REDIS)["default"]["LOCATION"] == "redis://127.0.0.1:6379/9"
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert test_cache_settings(locmem) == locmem


def test_this_run_uses_the_test_database_whatever_redis_url_says(settings):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("REDIS_URL is not set: the suite uses the local-memory cache")
    location = settings.CACHES["default"]["LOCATION"]
    assert location.endswith(f"/{os.environ.get('REDIS_TEST_DB', '15')}")
    assert settings.CACHES["default"]["KEY_PREFIX"] == TEST_RUN_KEY_PREFIX
    client = cache._cache.get_client(None, write=True)
    client.set("another-app:key", "keep me")
    try:
        cache.set("mine", 1)
        cache.clear()  # what the autouse fixture does before and after every test
        assert client.get("another-app:key") == b"keep me"
        assert cache.get("mine") is None
    finally:
        client.delete("another-app:key")
