"""Single-consumer locks hold across processes and machines: Redis when the cache is Redis, a
PostgreSQL advisory lock on PostgreSQL (freed when the holder's connection dies)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.db import connection

from jcportal.core import locks


def test_a_second_consumer_does_not_get_the_lock_until_it_is_released(db):
    with locks.single_consumer("test.job", ttl=60) as first:
        assert first
        with locks.single_consumer("test.job", ttl=60) as second:
            assert locks.backend() == "postgresql" or not second
        with locks.single_consumer("test.other-job", ttl=60) as other:
            assert other
    with locks.single_consumer("test.job", ttl=60) as again:
        assert again


@pytest.mark.services
def test_redis_lock_is_seen_by_another_client(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
        }
    }
    import redis

    other = redis.Redis.from_url("redis://127.0.0.1:6379/9")  # another machine, as far as Redis knows
    assert locks.backend() == "redis"
    with locks.single_consumer("test.redis-job", ttl=60) as mine:
        assert mine
        assert other.get(locks.PREFIX + "test.redis-job") is not None
        assert not other.lock(locks.PREFIX + "test.redis-job", timeout=5).acquire(blocking=False)
    assert other.get(locks.PREFIX + "test.redis-job") is None
    caches["default"].close()


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="PostgreSQL only")
def test_postgresql_advisory_lock_is_seen_by_another_session(db):
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    key = locks.advisory_key("test.pg-job")
    with psycopg.connect(**params, autocommit=True) as other:  # a worker on another machine
        assert locks.backend() == "postgresql"
        with locks.single_consumer("test.pg-job", ttl=60) as mine:
            assert mine
            assert not other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
        with locks.single_consumer("test.pg-job", ttl=60) as theirs_now:
            assert not theirs_now
        other.execute("SELECT pg_advisory_unlock(%s)", [key])


def test_single_consumer_jobs_skip_while_another_worker_runs_them(db, settings, tmp_path, monkeypatch):
    from jcportal.records import services as records_services
    from jcportal.records import tasks as records_tasks
    from jcportal.scanning import services as scanning_services

    def must_not_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("ran although another worker holds the lock")

    monkeypatch.setattr(records_services, "daily", must_not_run)
    monkeypatch.setattr(scanning_services, "_import_folder", must_not_run)
    settings.SCAN_IMPORT_DIR = str(tmp_path)
    if locks.backend() == "postgresql":
        pytest.skip("advisory locks are re-entrant within one session; see the two-session test above")
    with (
        locks.single_consumer("records.daily", ttl=60),
        locks.single_consumer("scanning.watched-folder", ttl=60),
    ):
        assert records_tasks.daily() == ""
        assert scanning_services.import_watched_folder() == 0
