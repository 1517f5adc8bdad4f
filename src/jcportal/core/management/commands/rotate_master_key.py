"""``manage.py rotate_master_key``: rewrap every data key with a new key-encryption key (resumable)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jcportal.core.crypto import KeyUnavailable
from jcportal.core.crypto.maintenance import rotate_master_key


class Command(BaseCommand):
    help = (
        "Rewrap every data key with a new key-encryption key: a new local master key (default), a new "
        "KMS key, or another provider (--provider aws-kms --kms-key-id …). Run again after an interruption."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--provider", help="move the data keys to this key provider (local, aws-kms)")
        parser.add_argument("--kms-key-id", help="the KMS key to wrap with (default: a new one is created)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rotate_master_key(
                provider=options["provider"], kms_key_id=options["kms_key_id"], report=self.stdout.write
            )
        except KeyUnavailable as error:
            raise CommandError(str(error)) from None
