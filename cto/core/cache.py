"""A Redis cache that the site survives losing.

Everything this project keeps in the cache can be done without it, more slowly or less
strictly: sessions are `cached_db` (the database holds every one), and the rate limits of
django-ratelimit and allauth let requests through when their counters are missing
(RATELIMIT_FAIL_OPEN in settings says why). So an unreachable Redis behaves as a cache that
evicts everything at once: reads miss, writes succeed and are gone, with a warning, instead of
an exception and a 500 page in every request.
After a failure the cache is not tried again for RETRY_AFTER_SECONDS, so that an outage costs
each process one slow call every few seconds, not one per cache operation."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

T = TypeVar("T")

# Shared by every thread's instance of the backend in this process (Django makes one per
# thread): when Redis is down, it is down for all of them. 0.0 while it is up.
_down_until = 0.0


def _attempt(call: Callable[[], T], missing: T) -> T:
    """``call()``, or ``missing`` when Redis is unreachable now or was a moment ago."""
    global _down_until
    if _down_until and time.monotonic() < _down_until:
        return missing
    try:
        outcome = call()
    except UNREACHABLE as error:
        if not _down_until:  # the first failure of an outage: one line, not one per request
            logger.warning("Cache unreachable, carrying on without it: %s", error)
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS
        return missing
    if _down_until:
        logger.warning("Cache reachable again.")
        _down_until = 0.0
    return outcome


class ReusedRedisClient(RedisCacheClient):
    """Django's client, holding on to one redis-py client per connection pool.

    Django builds a new `redis.Redis` for every cache operation, and each build copies some 170
    response callbacks: about a tenth of a millisecond, on every session read. A client only
    wraps its pool and is safe to share, so one per pool serves them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            make = self._client  # type: ignore[attr-defined]  # redis.Redis, not in the stubs
            client = self._clients[id(pool)] = make(connection_pool=pool)
        return client


class OutageTolerantRedisCache(RedisCache):
    """Django's Redis cache, where an unreachable server reads as a miss and writes as
    no-ops (see the module's docstring). Other errors (a bad key, a full server) still raise."""

    def __init__(self, server: Any, params: Any) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisClient

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        # True, as if stored and evicted at once (which a cache may always do): allauth takes
        # its rate-limit lock with add() and would refuse every sign-in without it.
        return _attempt(functools.partial(super().add, key, value, timeout, version), True)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return _attempt(functools.partial(super().get, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        _attempt(functools.partial(super().set, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return _attempt(functools.partial(super().touch, key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> Any:
        return _attempt(functools.partial(super().delete, key, version), False)

    def get_many(self, keys: Iterable[Any], version: Any = None) -> Any:
        return _attempt(functools.partial(super().get_many, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> Any:
        return _attempt(functools.partial(super().has_key, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        outcome = _attempt(functools.partial(super().incr, key, delta, version), None)
        if outcome is None:
            # What every backend raises for a missing key: django-ratelimit reads it as "no
            # count", and RATELIMIT_FAIL_OPEN decides.
            raise ValueError(f"Key {key!r} not found (the cache is unreachable).")
        return outcome

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        # The keys that could not be stored: all of them, when Redis is away.
        return _attempt(functools.partial(super().set_many, data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        _attempt(functools.partial(super().delete_many, keys, version), None)

    def clear(self) -> None:
        _attempt(super().clear, None)
