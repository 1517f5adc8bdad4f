"""The document's state machine, owned by the documents app: only this module (and the pipeline,
before delivery) writes ``Document.status``. The inbox calls it when staff open or finish a document.

    received → checked → delivered → opened → processed     (pipeline, then staff through the inbox)
    received → rejected | quarantined                        (pipeline)

Beside ``status`` the pipeline keeps ``pipeline_state``: "" (running or queued), "waiting" (a dependency
is down; not counted as an attempt) or "failed" (parked for a person; ``retry_intake``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Document


def mark_opened(document: Document, *, at: Any = None) -> bool:
    """Staff opened the delivered document: the citizen sees "opened". Returns whether it changed."""
    now = at or timezone.now()
    changes: dict[str, Any] = {}
    if document.opened_at is None:
        changes["opened_at"] = now
    if document.status in (Document.Status.RECEIVED, Document.Status.CHECKED, Document.Status.DELIVERED):
        changes["status"] = Document.Status.OPENED
    if not changes:
        return False
    Document.objects.filter(pk=document.pk).update(**changes)
    for name, value in changes.items():
        setattr(document, name, value)
    return True


def mark_processed(document: Document, *, at: Any = None) -> bool:
    """Staff finished the document: the citizen sees "processed" (rejected ones keep their status)."""
    now = at or timezone.now()
    changes: dict[str, Any] = {"processed_at": document.processed_at or now}
    if document.status not in (Document.Status.REJECTED, Document.Status.QUARANTINED):
        changes["status"] = Document.Status.PROCESSED
    if document.opened_at is None:
        changes["opened_at"] = now
    Document.objects.filter(pk=document.pk).update(**changes)
    for name, value in changes.items():
        setattr(document, name, value)
    return True


def retry_intake(document: Document, *, actor: Any) -> bool:
    """Staff start the intake of a parked (failed) document again. Returns False if it was not parked."""
    from . import pipeline, services

    if not pipeline.retry_failed(document, actor=actor):
        return False
    services.start_pipeline(document)
    return True
