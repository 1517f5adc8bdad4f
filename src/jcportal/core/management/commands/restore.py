"""``manage.py restore DIR``: rebuild an empty installation from a backup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jcportal.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Rebuild an empty installation from a backup made by 'manage.py backup': checks every checksum "
        "first, then restores the database, the objects, the data keys (DIR/keys or --keys) and the "
        "search index. Run 'manage.py documents_sanity_check' afterwards."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory")
        parser.add_argument("--keys", help="folder of the key material, when kept apart from the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(options["directory"], keys=options["keys"], report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("restored; now run: manage.py documents_sanity_check")
