"""A task really travels through Redis to a real Celery worker (not eager, not mocked)."""

import os
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from jcportal.celery import app
from jcportal.core import tasks
from jcportal.core.models import WorkerHeartbeat

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def redis_app(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}")
    keys = (
        "broker_url",
        "result_backend",
        "task_always_eager",
        "broker_transport_options",
        "task_default_queue",
    )
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={},
        # a queue of its own: no other worker on the same Redis may take this test's task
        task_default_queue=f"jcportal-test-{uuid.uuid4().hex}",
    )
    yield app
    app.conf.update(previous)


def test_heartbeat_task_runs_in_a_real_worker_on_redis(redis_app):
    with start_worker(redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = tasks.heartbeat.delay()
        result.get(timeout=30)
    assert WorkerHeartbeat.objects.exists()
