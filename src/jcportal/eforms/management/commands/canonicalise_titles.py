"""``manage.py canonicalise_titles [--dry-run]``: default titles stored in a citizen's language → German."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jcportal.eforms.canonical import canonicalise_titles


class Command(BaseCommand):
    help = "Rewrite document titles that were stored in the uploader's language to their German form."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count the titles to change.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        count = canonicalise_titles(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"canonicalise_titles: {verb} {count} document titles")
