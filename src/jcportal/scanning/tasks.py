from __future__ import annotations

from celery import shared_task

from . import services
from .models import ScanBatch


@shared_task(acks_late=True, name="jcportal.scanning.tasks.process_batch")
def process_batch(batch_id: int) -> int:
    """Split an uploaded batch at its separator sheets and create the assigned documents (idempotent)."""
    batch = ScanBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == ScanBatch.Status.FAILED:
        return 0
    try:
        created = services.process_batch(batch)
    except services.ScanError:
        return 0
    render_batch_previews.delay(batch_id)
    return created


@shared_task(acks_late=True, name="jcportal.scanning.tasks.render_batch_previews")
def render_batch_previews(batch_id: int) -> int:
    """Render the scan station's page images of a batch once and store them (idempotent)."""
    from . import previews

    batch = ScanBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status == ScanBatch.Status.FAILED:
        return 0
    return previews.render_batch(batch)


@shared_task(acks_late=True, name="jcportal.scanning.tasks.import_folder")
def import_folder() -> int:
    """Periodic: pick up PDFs from the watched folder SCAN_IMPORT_DIR."""
    return services.import_watched_folder()
