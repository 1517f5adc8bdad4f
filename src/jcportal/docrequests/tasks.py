from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, name="jcportal.docrequests.tasks.send_reminders")
def send_reminders() -> int:
    """Daily: remind households of requests whose deadline is near (each request once)."""
    return services.send_reminders()
