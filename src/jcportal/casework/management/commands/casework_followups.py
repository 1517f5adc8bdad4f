"""Create the Wiedervorlagen of overdue document requests and notify those that came due (daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jcportal.casework import followups


class Command(BaseCommand):
    help = "Wiedervorlagen for overdue document requests; notifications for the ones due (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=dt.date.fromisoformat, default=None, help="as of this day (ISO)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = followups.daily(options["day"])
        self.stdout.write(f"created={result['created']} notified={result['notified']}")
