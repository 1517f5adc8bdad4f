"""``manage.py encrypt_existing``: encrypt a plaintext installation's objects and columns (resumable)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jcportal.core.crypto import KeyUnavailable
from jcportal.core.crypto.maintenance import encrypt_existing


class Command(BaseCommand):
    help = (
        "Encrypt every stored object and social-data column written without encryption. Skips what is "
        "already encrypted, so an interrupted run is simply started again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            objects, rows = encrypt_existing(report=self.stdout.write)
        except (KeyUnavailable, RuntimeError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"done: {objects} object(s) and {rows} row(s) encrypted")
