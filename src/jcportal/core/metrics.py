"""Prometheus metrics for GET /metrics (behind METRICS_TOKEN).

Web processes and workers run on many machines, so nothing is counted in process memory: gauges are
read from the database and the broker when Prometheus scrapes, and task durations are histograms kept
in the shared cache (Redis), written by every worker after each task (``observe``). No label carries
social data: task names, states, steps and queue names only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric

logger = logging.getLogger(__name__)

BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
TASKS_KEY = "metrics:tasks"
_started: dict[str, float] = {}


STEPS_KEY = "metrics:steps"


def _key(task: str, part: str, kind: str = "task") -> str:
    return f"metrics:{kind}:{task}:{part}"


def _incr(key: str, amount: int = 1) -> None:
    if not cache.add(key, amount, timeout=None):
        try:
            cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.add(key, amount, timeout=None)


def observe(task: str, seconds: float, failed: bool = False, *, kind: str = "task") -> None:
    """Count one run of ``task`` (or, with ``kind="step"``, of an intake step) that took ``seconds``
    (best effort: metrics never break a task)."""
    index = STEPS_KEY if kind == "step" else TASKS_KEY
    try:
        names = cache.get(index) or []
        if task not in names:
            cache.set(index, sorted({*names, task}), timeout=None)
        for bound in BUCKETS:
            if seconds <= bound:
                _incr(_key(task, f"le:{bound}", kind))
        _incr(_key(task, "count", kind))
        _incr(_key(task, "sum_ms", kind), int(seconds * 1000))
        if failed:
            _incr(_key(task, "failed", kind))
    except Exception:
        logger.warning("metrics: could not record a duration", exc_info=True)


def observe_step(step: str, seconds: float, failed: bool = False) -> None:
    """One intake step (scan, normalise, merge, OCR, store …) of one document took ``seconds``."""
    observe(step, seconds, failed, kind="step")


COUNTS_KEY = "metrics:counts"


def count(name: str, amount: int = 1) -> None:
    """Add ``amount`` to the counter ``name`` (e.g. housekeeping removals; best effort, never raises)."""
    try:
        names = cache.get(COUNTS_KEY) or []
        if name not in names:
            cache.set(COUNTS_KEY, sorted({*names, name}), timeout=None)
        _incr(_key(name, "total", "count"), amount)
    except Exception:
        logger.warning("metrics: could not count", exc_info=True)


def _task_prerun(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _started[task_id] = time.monotonic()


def _task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    started = _started.pop(task_id or "", None)
    if started is not None and task is not None:
        observe(task.name, time.monotonic() - started, failed=state == "FAILURE")


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False)
    signals.task_postrun.connect(_task_postrun, weak=False)


def queue_lengths() -> dict[str, int | None]:
    """Messages waiting per queue (Redis lists); None where the broker cannot tell."""
    from jcportal.celery import QUEUES

    lengths: dict[str, int | None] = dict.fromkeys(QUEUES)
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return lengths
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        for queue in QUEUES:
            # kombu's Redis transport: one list per queue, plus one per priority step ("queue\x06\x16N")
            total = 0
            for name in client.scan_iter(match=f"{queue}*", count=100):
                if name == queue.encode() or name.startswith(queue.encode() + b"\x06\x16"):
                    total += int(client.llen(name))
            lengths[queue] = total
    except redis.RedisError:
        return dict.fromkeys(QUEUES)
    finally:
        client.close()
    return lengths


class JcportalCollector:
    def collect(self) -> Iterable[Metric]:
        from jcportal.documents.models import Document
        from jcportal.inbox.models import InboxItem

        uploads = GaugeMetricFamily(
            "jcportal_documents", "Inbound documents by status and channel", labels=["status", "channel"]
        )
        rows = (
            Document.objects.filter(direction=Document.Direction.INBOUND)
            .values("status", "channel")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            uploads.add_metric([row["status"], row["channel"]], row["n"])
        yield uploads

        in_pipeline = GaugeMetricFamily(
            "jcportal_pipeline_documents",
            "Documents in the intake pipeline by next step and state (waiting, failed, running)",
            labels=["step", "state"],
        )
        steps = (
            Document.objects.exclude(pipeline_step="done")
            .values("pipeline_step", "pipeline_state")
            .annotate(n=Count("pk"))
        )
        for step in steps:
            in_pipeline.add_metric(
                [step["pipeline_step"] or "start", step["pipeline_state"] or "running"], step["n"]
            )
        yield in_pipeline

        failed = GaugeMetricFamily(
            "jcportal_pipeline_failed_documents", "Documents parked as failed, waiting for a person"
        )
        failed.add_metric([], Document.objects.filter(pipeline_state="failed").count())
        yield failed

        backlog = GaugeMetricFamily(
            "jcportal_inbox_backlog", "Inbox items not done, by state", labels=["state"]
        )
        states = InboxItem.objects.exclude(state=InboxItem.State.DONE).values("state").annotate(n=Count("pk"))
        for state in states:
            backlog.add_metric([state["state"]], state["n"])
        yield backlog

        queues = GaugeMetricFamily(
            "jcportal_queue_length", "Messages waiting in each queue", labels=["queue"]
        )
        for queue, length in queue_lengths().items():
            if length is not None:
                queues.add_metric([queue], length)
        yield queues

        durations = HistogramMetricFamily(
            "jcportal_task_duration_seconds", "Duration of background tasks (all workers)", labels=["task"]
        )
        failures = GaugeMetricFamily(
            "jcportal_task_failures", "Background task runs that ended in an error", labels=["task"]
        )
        for task in cache.get(TASKS_KEY) or []:
            keys = [_key(task, f"le:{bound}") for bound in BUCKETS] + [
                _key(task, part) for part in ("count", "sum_ms", "failed")
            ]
            values = cache.get_many(keys)
            count = int(values.get(_key(task, "count"), 0))
            buckets = [(str(bound), int(values.get(_key(task, f"le:{bound}"), 0))) for bound in BUCKETS]
            buckets.append(("+Inf", count))
            durations.add_metric([task], buckets, int(values.get(_key(task, "sum_ms"), 0)) / 1000)
            failures.add_metric([task], int(values.get(_key(task, "failed"), 0)))
        yield durations
        yield failures

        step_durations = HistogramMetricFamily(
            "jcportal_pipeline_step_duration_seconds",
            "Duration of each intake step (all workers)",
            labels=["step"],
        )
        for step in cache.get(STEPS_KEY) or []:
            values = cache.get_many(
                [_key(step, f"le:{bound}", "step") for bound in BUCKETS]
                + [_key(step, part, "step") for part in ("count", "sum_ms")]
            )
            count = int(values.get(_key(step, "count", "step"), 0))
            buckets = [
                (str(bound), int(values.get(_key(step, f"le:{bound}", "step"), 0))) for bound in BUCKETS
            ]
            buckets.append(("+Inf", count))
            step_durations.add_metric(
                [step], buckets, int(values.get(_key(step, "sum_ms", "step"), 0)) / 1000
            )
        yield step_durations

        counts = GaugeMetricFamily(
            "jcportal_housekeeping_removed", "Things removed by housekeeping jobs (all time)", labels=["what"]
        )
        for name in cache.get(COUNTS_KEY) or []:
            counts.add_metric([name], int(cache.get(_key(name, "total", "count")) or 0))
        yield counts


def render() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JcportalCollector())  # type: ignore[arg-type]
    return generate_latest(registry)
