"""A Redis cache that fails open: when Redis cannot be reached, a read is a miss and a write is skipped.

Redis is a helper, never a dependency of the request (CONVENTIONS.md, "When a part fails"). Django's
``RedisCache`` raises ``redis.ConnectionError`` into the view when the server is down; this
subclass logs it and answers as an empty cache would:

- ``get`` / ``get_many`` / ``has_key``: a miss (the default, ``{}``, ``False``);
- ``set`` / ``set_many`` / ``delete`` / ``delete_many`` / ``touch`` / ``clear``: skipped;
- ``add``: ``True``, as on an empty cache, so a caller that uses it as a "first one in" flag (the
  scoring and ranking debounces, allauth's rate-limit lock) goes ahead: more work, never less;
- ``incr``: raises ``ValueError`` as for a missing key (``pagecache.content_changed`` handles it).

Callers that must know whether the cache answered (the health check) use ``ping()``, which raises.

A down server costs little: the connection pool has short connect and socket timeouts
(``CACHE_REDIS_TIMEOUT``), and after a failure this process stops asking Redis for
``RETRY_AFTER`` seconds (a small circuit breaker), so a page that makes ten cache calls pays for
at most one failed connection while Redis is down.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "Redis is not reachable now". A wrong command or a bad value is a bug and raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, failing open on connection errors (see the module's docstring).

    OPTIONS may hold ``RETRY_AFTER`` (seconds, default 5) besides the connection pool's options.
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry_on_timeout", False)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    # --- The breaker ----------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False while this process is waiting out a recent failure (no call is made to Redis then)."""
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        with self._lock:
            first = self.available
            self._down_until = time.monotonic() + self.retry_after
        if first:
            logger.warning(
                "Cache unreachable (%s: %s); treating it as empty for %s s.", operation, error, self.retry_after
            )

    def _call(self, operation: str, call, fallback):
        if not self.available:
            return fallback
        try:
            return call()
        except UNREACHABLE as error:
            self._failed(operation, error)
            return fallback

    def ping(self) -> bool:
        """Ask Redis directly (the breaker is ignored); raises if it cannot be reached."""
        client = self._cache.get_client(write=True)
        result = client.ping()
        with self._lock:
            self._down_until = 0.0
        return result

    # --- The cache's methods --------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._call("delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._call("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._call("incr", lambda: super(FailOpenRedisCache, self).incr(key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(
            "set_many", lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._call("delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        return self._call("clear", lambda: super(FailOpenRedisCache, self).clear(), False)
