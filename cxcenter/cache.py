"""Django's Redis cache with one client object per connection pool instead of one per call.

Django builds a new ``redis.Redis`` for every cache operation, and redis-py fills a table of
about 170 response callbacks in each constructor: on this machine that cost more CPU than the
round trip itself, several times per request. A client only wraps the shared, thread-safe
pool, so keeping it changes nothing else.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The stubs leave out the private helpers this builds on.
        base: Any = self
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = base._client(connection_pool=base._get_connection_pool(write))
            self._clients[index] = client
        return client


class PooledClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
