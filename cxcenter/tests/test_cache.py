"""The Redis cache keeps one client per connection pool instead of one per operation."""

from django.conf import settings

from cxcenter.cache import PooledClientRedisCache


def _cache() -> PooledClientRedisCache:
    # Clients connect lazily: making them needs no server.
    return PooledClientRedisCache("redis://127.0.0.1:6379/0", {})


def test_every_operation_gets_the_same_client() -> None:
    cache = _cache()
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first


def test_the_client_uses_the_cache_pool() -> None:
    cache = _cache()
    client = cache._cache.get_client("a")
    assert client.connection_pool is cache._cache._get_connection_pool(False)  # type: ignore[attr-defined]  # private, not in the stubs


def test_the_configured_redis_cache_is_the_pooled_one() -> None:
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "cxcenter.cache.PooledClientRedisCache"
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
