"""Locks for single-consumer jobs (scan-folder import, retention runs) that hold across machines.

    with single_consumer("scanning.watched-folder", ttl=1800) as mine:
        if not mine:
            return 0          # another worker (on any machine) runs it right now
        ...

Which lock, by deployment:

* the cache is Redis (``CACHE_URL=redis://…``): a Redis lock (``SET NX PX``) with the time to live ``ttl``;
  a worker that dies leaves it until the ttl runs out;
* else the database is PostgreSQL: a session advisory lock (``pg_try_advisory_lock``); PostgreSQL frees it
  when the holder's connection ends, so a killed worker never leaves it behind;
* else (development on SQLite with the process-local cache): ``cache.add``, which only holds within one
  machine – production refuses that cache anyway (``core.checks``).

Never blocks: a job that does not get the lock skips this run (beat starts it again).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import caches
from django.db import connection

logger = logging.getLogger(__name__)

PREFIX = "jcportal:lock:"


def backend() -> str:
    """``redis``, ``postgresql`` or ``cache`` – which lock ``single_consumer`` takes here."""
    if type(caches["default"]).__name__ == "RedisCache":
        return "redis"
    if connection.vendor == "postgresql":
        return "postgresql"
    return "cache"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def single_consumer(name: str, *, ttl: int) -> Iterator[bool]:
    """Yield True when this process holds the lock ``name`` (and release it afterwards), else False."""
    kind = backend()
    if kind == "redis":
        with _redis_lock(name, ttl) as held:
            yield held
    elif kind == "postgresql":
        with _advisory_lock(name) as held:
            yield held
    else:
        key, cache = PREFIX + name, caches["default"]
        held = bool(cache.add(key, "1", timeout=ttl))
        try:
            yield held
        finally:
            if held:
                cache.delete(key)


@contextmanager
def _redis_lock(name: str, ttl: int) -> Iterator[bool]:
    from redis.exceptions import LockError

    client = caches["default"]._cache.get_client(None, write=True)  # type: ignore[attr-defined]
    lock = client.lock(PREFIX + name, timeout=ttl, blocking=False)
    held = bool(lock.acquire(blocking=False))
    try:
        yield held
    finally:
        if held:
            try:
                lock.release()
            except LockError:  # the ttl ran out meanwhile; somebody else may hold it now
                logger.warning("lock %s expired before the job finished (ttl %s s)", name, ttl)


@contextmanager
def _advisory_lock(name: str) -> Iterator[bool]:
    key = advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except Exception:  # the connection is gone: PostgreSQL released the lock with it
                logger.warning("advisory lock %s: connection lost before unlock", name)
