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
        return services.process_batch(batch)
    except services.ScanError:
        return 0


@shared_task(acks_late=True, name="jcportal.scanning.tasks.import_folder")
def import_folder() -> int:
    """Periodic: pick up PDFs from the watched folder SCAN_IMPORT_DIR."""
    return services.import_watched_folder()
