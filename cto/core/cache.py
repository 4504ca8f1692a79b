"""The Redis cache, which the site survives losing.

Everything this project keeps in the cache can be done without it, more slowly or less
strictly: sessions are `cached_db` (the database holds every one), and the rate limits of
django-ratelimit and allauth let requests through when their counters are missing
(RATELIMIT_FAIL_OPEN in settings says why). django-redis's IGNORE_EXCEPTIONS makes an
unreachable server read as an empty cache: reads miss, writes are dropped and logged.
"""

from __future__ import annotations

from typing import Any

from django_redis.cache import RedisCache


class OutageTolerantRedisCache(RedisCache):
    """django-redis with one answer changed for an outage: ``add`` says it stored the key.

    IGNORE_EXCEPTIONS answers None for an ``add`` that could not reach Redis. allauth takes
    the lock of its sign-in rate limit with ``add`` and reads a falsy answer as "held by
    someone else", so without this every sign-in would wait a second and be refused while
    Redis is away. "Stored and evicted at once" is an answer any cache may give.
    """

    def add(self, *args: Any, **kwargs: Any) -> bool:
        added = super().add(*args, **kwargs)
        return True if added is None else bool(added)
