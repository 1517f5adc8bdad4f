"""The daily records job (beat): the destruction proposal of the day and the audit log's old months."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="jcportal.records.tasks.daily")
def daily() -> str:
    from .services import daily as run

    proposal = run()
    return str(proposal.pk) if proposal is not None else ""
