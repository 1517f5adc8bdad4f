"""The daily records job (beat): the destruction proposal of the day and the audit log's old months."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="jcportal.records.tasks.daily")
def daily() -> str:
    """One run at a time across all workers and machines (``core.locks``); a second one skips."""
    from jcportal.core.locks import single_consumer

    from .services import daily as run

    with single_consumer("records.daily", ttl=6 * 3600) as mine:
        if not mine:
            return ""
        proposal = run()
    return str(proposal.pk) if proposal is not None else ""
