from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScanningConfig(AppConfig):
    name = "jcportal.scanning"
    label = "scanning"
    verbose_name = _("Scan station")

    def ready(self) -> None:
        from jcportal.core.registry import register_resumer

        register_resumer("scan-batches")(resume_stalled_batches)


def resume_stalled_batches() -> int:
    """Re-queue uploaded batches that were not split within ten minutes (e.g. the worker was killed)."""
    import datetime as dt
    from functools import partial

    from django.db import transaction
    from django.utils import timezone

    from .models import ScanBatch
    from .tasks import process_batch

    cutoff = timezone.now() - dt.timedelta(minutes=10)
    stalled = list(
        ScanBatch.objects.filter(
            status=ScanBatch.Status.RECEIVED, created_at__lt=cutoff, source=ScanBatch.Source.UPLOAD
        ).values_list("pk", flat=True)[:100]
    )
    for batch_id in stalled:
        transaction.on_commit(partial(process_batch.delay, batch_id))
    return len(stalled)
