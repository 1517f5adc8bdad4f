"""``manage.py backup DIR``: a consistent backup (database, encrypted objects, manifest with checksums)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jcportal.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database, every stored object (still encrypted) and a manifest with SHA-256 checksums "
        "into DIR. The key material is written only with --include-keys: keep it apart from the backup."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory")
        parser.add_argument(
            "--include-keys", action="store_true", help="also write the data keys and the master key (keys/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(
                options["directory"], include_keys=options["include_keys"], report=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        keys = "with" if manifest["keys"] else "without"
        self.stdout.write(f"backup written to {options['directory']} ({keys} key material)")
