"""Parts of resumable portal uploads that were never completed (issue 14 point 5).

The upload page sends its files in parts (views_uploads_resumable); "complete" joins and deletes them.
Parts of an upload the citizen gave up on (the phone went offline for good, the tab was closed) would
stay in the storage under ``portal-uploads/<id>/`` for ever: they are deleted once the newest part of
the upload is older than ``PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS`` (default 24), by the housekeeping task
``jcportal.portal.tasks.purge_abandoned_uploads`` (beat, hourly) and ``manage.py
purge_abandoned_uploads``. An upload still receiving parts is never touched: its newest part is fresh.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from jcportal.core import metrics

from .views_uploads_resumable import PREFIX

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    uploads: int
    parts: int


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS", 24)))


def purge_abandoned_uploads(
    *, now: dt.datetime | None = None, older_than: dt.timedelta | None = None
) -> Purged:
    """Delete the parts of every upload whose newest part is older than ``older_than`` (the setting)."""
    now = now or timezone.now()
    limit = now - (older_than if older_than is not None else max_age())
    folder = PREFIX.rstrip("/")
    try:
        upload_ids, _files = default_storage.listdir(folder)
    except FileNotFoundError:  # no upload in parts was ever started here
        return Purged(0, 0)
    uploads = parts = 0
    for upload_id in sorted(upload_ids):
        names = [f"{PREFIX}{upload_id}/{name}" for name in default_storage.listdir(f"{PREFIX}{upload_id}")[1]]
        if not names:
            continue
        if max(default_storage.get_modified_time(name) for name in names) >= limit:
            continue  # still being sent (or sent within the allowed time)
        for name in names:
            default_storage.delete(name)
        uploads += 1
        parts += len(names)
    if uploads:
        logger.info("abandoned portal uploads purged", extra={"uploads": uploads, "parts": parts})
        metrics.count("portal_upload_parts", parts)
    return Purged(uploads, parts)
