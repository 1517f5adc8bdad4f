"""``manage.py purge_abandoned_uploads [--hours N]``: delete the parts of resumable portal uploads that
were never completed (the same as the hourly housekeeping task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from jcportal.portal.abandoned_uploads import max_age, purge_abandoned_uploads


class Command(BaseCommand):
    help = "Delete the parts of resumable portal uploads whose newest part is older than the allowed age."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=None,
            help="Age in hours (default: PORTAL_UPLOAD_PARTS_MAX_AGE_HOURS, 24).",
        )

    def handle(self, *args: Any, hours: float | None = None, **options: Any) -> None:
        older_than = dt.timedelta(hours=hours) if hours is not None else max_age()
        purged = purge_abandoned_uploads(older_than=older_than)
        self.stdout.write(
            f"{purged.uploads} abandoned uploads older than {older_than} removed ({purged.parts} parts)."
        )
