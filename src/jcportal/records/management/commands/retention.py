"""``manage.py retention plan [--as-of YYYY-MM-DD]``: what would be due, counted per class and office.

Prints counts only (never a name, number or content) and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Retention: 'plan' prints the records due at a date per retention class and office (changes nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["plan"])
        parser.add_argument("--as-of", dest="as_of", help="the date to plan for (YYYY-MM-DD), default today")

    def handle(self, *args: Any, **options: Any) -> None:
        from jcportal.records.services import plan

        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("--as-of must be a date YYYY-MM-DD") from error
        lines = plan(as_of)
        self.stdout.write(f"Retention plan at {as_of:%Y-%m-%d} (counts only; nothing was changed)")
        if not lines:
            self.stdout.write("Nothing is due.")
            return
        width = max(len(line.retention_class) for line in lines)
        office_width = max(len(line.office) for line in lines)
        self.stdout.write(f"{'class':<{width}}  {'office':<{office_width}}  {'due':>6}  {'held':>6}")
        for line in lines:
            self.stdout.write(
                f"{line.retention_class:<{width}}  {line.office:<{office_width}}  {line.due:>6}  {line.held:>6}"
            )
        self.stdout.write(
            f"total: {sum(line.due for line in lines)} due, {sum(line.held for line in lines)} stopped by a legal hold"
        )
