"""A Celery beat scheduler that keeps its state in the shared cache (Redis), not in a local file.

Production runs one beat, but a restarted or rescheduled beat (another pod, another machine) must know
when each job last ran, and a second beat started by mistake must not send every job twice. So the
last run of every entry is kept in the cache, and only the beat holding the leader key sends jobs;
the others wait and take over when the leader stops refreshing it.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

from celery.beat import ScheduleEntry, Scheduler
from django.core.cache import cache

LEADER_KEY = "beat:leader"
LAST_RUN_KEY = "beat:last-run:{}"


class SharedScheduler(Scheduler):
    """``celery -A jcportal beat -S jcportal.core.beat.SharedScheduler`` (CELERY_BEAT_SCHEDULER)."""

    max_interval = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        super().__init__(*args, **kwargs)

    @property
    def lease_seconds(self) -> int:
        return int(self.max_interval * 4) + 5

    def setup_schedule(self) -> None:
        super().setup_schedule()
        stored = cache.get_many([LAST_RUN_KEY.format(name) for name in self.schedule])
        for name, entry in self.schedule.items():
            timestamp = stored.get(LAST_RUN_KEY.format(name))
            if timestamp is not None:
                entry.last_run_at = datetime.fromtimestamp(timestamp, UTC)

    def is_leader(self) -> bool:
        if cache.add(LEADER_KEY, self.identity, timeout=self.lease_seconds):
            return True
        if cache.get(LEADER_KEY) == self.identity:
            cache.touch(LEADER_KEY, timeout=self.lease_seconds)
            return True
        return False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.is_leader():
            return float(self.max_interval)
        return float(super().tick(*args, **kwargs))

    def reserve(self, entry: ScheduleEntry) -> ScheduleEntry:
        new_entry = super().reserve(entry)
        if new_entry.last_run_at is not None:
            cache.set(LAST_RUN_KEY.format(entry.name), new_entry.last_run_at.timestamp(), timeout=None)
        return new_entry

    def close(self) -> None:
        if cache.get(LEADER_KEY) == self.identity:
            cache.delete(LEADER_KEY)
        super().close()
