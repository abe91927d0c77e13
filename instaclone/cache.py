"""A Redis cache that degrades to "no cache" while Redis is unreachable, and comes back by itself.

Why hand-written (about 100 lines) on top of Django's own ``RedisCache``:

- Django's ``RedisCache`` has no "ignore exceptions" option: with Redis down every ``cache.get`` in
  a context processor, a rate limit or a session load raises, and every signed-in page is a 500.
- django-redis has ``DJANGO_REDIS_IGNORE_EXCEPTIONS``, and was considered. We keep Django's backend
  because django-redis's option still sends *every* call to the dead server (a page with six cache
  calls against a hung Redis waits six socket timeouts) and logs every failure (a log flood during
  an outage); it has no back-off. Adding it would be a second Redis client layer and a new
  dependency that still needs the circuit breaker below, so it buys nothing here.

What this backend does:

- redis-py is configured, not wrapped: short ``socket_connect_timeout`` / ``socket_timeout``
  (``REDIS_TIMEOUT``, default 0.3 s; Redis answers in well under a millisecond when healthy), no
  retries, and a connection health check, set as defaults under ``OPTIONS`` (settings may override).
- A thin guard (a circuit breaker, shared by the threads of one process, per Redis location): the
  first call that fails with a connection error or timeout logs ONE warning, answers as a cache miss
  (``get`` returns the default, ``set``/``delete`` do nothing, ``incr`` raises ``ValueError`` like
  a missing key), and opens the breaker for ``REDIS_BACKOFF`` seconds
  (default 5): during that time no call goes to Redis at all, so a page never waits on more than one
  timeout. The first call after the back-off tries Redis again; success closes the breaker (logged
  once at INFO), failure opens it for another back-off without a new warning.
- An answer that means "cannot serve" counts as an outage too: a replica that refuses writes after a
  failover (READONLY), OOM, MISCONF, MASTERDOWN, LOADING. Other error replies are bugs and raise.
- ``clear()`` deletes only this site's keys (``KEY_PREFIX:*``, SCAN + DEL) when a key prefix is set,
  instead of ``FLUSHDB``: another application sharing the Redis database keeps its keys.

``add`` answers True during an outage, as if it had stored the key. That is deliberate: allauth's
rate limits take a lock with ``cache.add`` and, if ``add`` kept failing, would wait for the lock and
then refuse every sign-in with 429 (fail closed: nobody could sign in during a Redis outage). Rate
limits therefore fail open while Redis is down (the warning above says so); Argon2 still bounds how
fast passwords can be guessed. Do not use ``cache.add`` as a "do this only once" guard.

Callers that read the cache must therefore treat a miss as normal (they all do: the unread count
falls back to the database, allauth's rate limits and the report limit fail open while Redis is
down).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("instaclone.cache")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError, ResponseError)
# A Redis that answers but cannot serve: a read-only replica after a failover (ReadOnlyError), out
# of memory, failing to persist, or its primary gone. Any other error reply is a bug and is raised.
_UNAVAILABLE_REPLIES = ("READONLY", "OOM", "MISCONF", "MASTERDOWN", "NOREPLICAS", "LOADING", "CLUSTERDOWN")


def _is_outage(error: Exception) -> bool:
    if isinstance(error, ReadOnlyError):
        return True
    if isinstance(error, ResponseError):
        return str(error).upper().startswith(_UNAVAILABLE_REPLIES)
    return True
_MISSING = object()


class _Breaker:
    """Per-process state of one Redis location: closed (use Redis) or open until a deadline."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.down = False  # an outage was reported and recovery not yet seen

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def failed(self, location: str, error: Exception, backoff: float) -> None:
        with self.lock:
            self.open_until = time.monotonic() + backoff
            first = not self.down
            self.down = True
        if first:
            logger.warning(
                "Redis at %s is unreachable (%s: %s); serving without the cache (sessions from the "
                "database, rate limits fail open) and retrying every %ss.",
                location, type(error).__name__, error, backoff,
            )

    def succeeded(self, location: str) -> None:
        if self.down:
            with self.lock:
                was_down, self.down = self.down, False
            if was_down:
                logger.info("Redis at %s is reachable again; cache back in use.", location)


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        timeout = float(getattr(settings, "REDIS_TIMEOUT", 0.3))
        params["OPTIONS"] = {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "health_check_interval": 30,
            "retry_on_timeout": False,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, params)
        self.backoff = float(getattr(settings, "REDIS_BACKOFF", 5))
        self.location = ",".join(self._servers)
        self.breaker = _breaker_for(self.location)

    def _guarded(self, call, fallback):
        if not self.breaker.allows():
            return fallback
        try:
            result = call()
        except OUTAGE_ERRORS as error:
            if not _is_outage(error):
                raise
            self.breaker.failed(self.location, error, self.backoff)
            return fallback
        self.breaker.succeeded(self.location)
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        result = self._guarded(lambda: super(ResilientRedisCache, self).incr(key, delta, version), _MISSING)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (Redis is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys, version=None):
        self._guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self):
        if not self.key_prefix:
            return self._guarded(lambda: super(ResilientRedisCache, self).clear(), False)
        return self._guarded(self._delete_prefixed, False)

    def _delete_prefixed(self) -> bool:
        """Delete this cache's keys only (``<KEY_PREFIX>:*``), leaving other applications' keys."""
        client = self._cache.get_client(None, write=True)
        pattern = self._glob_escape(self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True

    @staticmethod
    def _glob_escape(text: str) -> str:
        return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)
