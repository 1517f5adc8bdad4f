"""Work is routed by kind, every task has time limits, and beat's state is shared (issue 11)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.conf import settings

from jcportal.celery import QUEUES, app
from jcportal.core import beat
from jcportal.core.testing.processes import ROOT


def queue_of(task: str) -> str:
    return str(app.amqp.router.route({}, task)["queue"].name)


def test_each_kind_of_work_has_its_queue():
    app.loader.import_default_modules()
    assert queue_of("jcportal.documents.tasks.run_pipeline") == "intake"
    assert queue_of("jcportal.eforms.tasks.finalize_submission") == "intake"
    assert queue_of("jcportal.casework.tasks.render_previews") == "ocr"
    assert queue_of("jcportal.casework.tasks.send_notification_emails") == "io"
    assert queue_of("jcportal.events.tasks.deliver_webhooks") == "io"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) == "housekeeping", entry["task"]
    # every registered task lands on one of the four queues
    assert {queue_of(name) for name in app.tasks if name.startswith("jcportal.")} <= set(QUEUES)


def test_every_task_has_soft_and_hard_limits_below_the_visibility_timeout():
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if not name.startswith("jcportal."):
            continue
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert 0 < soft < hard < settings.BROKER_VISIBILITY_TIMEOUT, name
    assert app.tasks["jcportal.core.tasks.heartbeat"].time_limit <= 30
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_the_embedded_worker_consumes_every_queue():
    script = (ROOT / "scripts" / "run-embedded.sh").read_text()
    found = re.search(r"worker -B -Q (\S+)", script)
    assert found and set(found.group(1).split(",")) == set(QUEUES)


@pytest.fixture
def scheduler():  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    cache.delete(beat.LEADER_KEY)
    first = beat.SharedScheduler(app=app, lazy=True)
    second = beat.SharedScheduler(app=app, lazy=True)
    yield first, second
    cache.delete(beat.LEADER_KEY)


def test_only_one_beat_sends_and_the_other_takes_over(scheduler):
    first, second = scheduler
    assert first.is_leader()
    assert not second.is_leader()
    assert first.is_leader()  # refreshes its lease
    first.close()
    assert second.is_leader()


def test_beat_keeps_the_last_run_in_the_cache(scheduler):
    from django.core.cache import cache

    first, _second = scheduler
    first.setup_schedule()
    entry = first.schedule["worker-heartbeat"]
    reserved = first.reserve(entry)
    stored = cache.get(beat.LAST_RUN_KEY.format("worker-heartbeat"))
    assert stored == pytest.approx(reserved.last_run_at.timestamp())
    restarted = beat.SharedScheduler(app=app, lazy=True)
    restarted.setup_schedule()
    assert restarted.schedule["worker-heartbeat"].last_run_at.timestamp() == pytest.approx(stored)


@pytest.mark.django_db
def test_logs_are_json_with_the_request_id_of_the_request(client, settings):
    import logging.config

    stream = StringIO()
    config = {**settings.LOGGING, "handlers": {"console": {**settings.LOGGING["handlers"]["console"]}}}
    config["handlers"]["console"]["formatter"] = "json"
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        settings.METRICS_TOKEN = ""
        response = client.get("/metrics?q=Mustermann", HTTP_X_REQUEST_ID="probe-123")  # 404, logged
        logging.getLogger("jcportal.test").warning("IBAN DE89370400440532013000 of a@b.de")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert response["X-Request-ID"] == "probe-123"
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    assert any(line["request_id"] == "probe-123" and line["logger"] == "django.request" for line in lines)
    assert "Mustermann" not in stream.getvalue()
    last = lines[-1]
    assert last["message"] == "IBAN [IBAN] of [e-mail]" and last["level"] == "WARNING"
    assert (
        client.get("/livez", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"] != "bad id with spaces"
    )


def test_a_worker_without_queue_option_consumes_every_queue():
    assert [queue.name for queue in app.amqp.queues.values()] == list(QUEUES)


def test_the_access_log_is_json_without_the_query_string():
    from jcportal.core import gunicorn_config

    fields = {
        "t": "[07/Dec/2026:13:00:00 +0100]",
        "{x-request-id}o": "abc",
        "m": "GET",
        "U": "/verwaltung/",
        "s": "200",
        "B": "5",
        "M": "12",
    }
    line = json.loads(gunicorn_config.access_log_format % fields)
    assert line["request_id"] == "abc" and line["path"] == "/verwaltung/"
    for query in ("%(q)s", "%(r)s", "%({raw_uri}e)s"):
        assert query not in gunicorn_config.access_log_format
    for script in ("run-embedded.sh", "run-cluster.sh"):
        assert "-c python:jcportal.core.gunicorn_config" in (ROOT / "scripts" / script).read_text()
