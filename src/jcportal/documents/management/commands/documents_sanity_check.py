"""``manage.py documents_sanity_check``: verify every stored document file (read-only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jcportal.documents import sanity


class Command(BaseCommand):
    help = (
        "Check that every stored object decrypts, that every original and PDF exists with its recorded "
        "SHA-256, and report orphaned files."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for message in sanity.check():
            problems += 1
            self.stdout.write(message)
        if problems:
            raise CommandError(f"{problems} problem(s) found")
        self.stdout.write("all document files are present and unchanged")
