"""Mass import of scanned case files (e.g. a digitisation of 18,171 files / 2.9 million pages).

    manage.py import_scans /data/scans            # every PDF below the folder, in sorted order
    manage.py import_scans /data/manifest.csv     # CSV: path[,bg_number][,doc_type]

Restartable: each file has a state row keyed by path + SHA-256. A second run skips finished files,
a killed run resumes the file it was working on (segments that already became documents are kept),
and a file whose content was already imported under another path is recorded as a duplicate.
Files are hashed and stored as streams; memory use does not grow with file size or file count.
``--shard K/N`` splits the list between N processes (e.g. one per core).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jcportal.scanning import services


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Command(BaseCommand):
    help = "Import scanned PDFs (folder or CSV manifest) restartably, split at separator sheets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "source", help="a folder of PDF files or a CSV manifest (path,bg_number,doc_type)"
        )
        parser.add_argument("--user", help="username recorded as the scanning staff member")
        parser.add_argument("--progress-every", type=int, default=1, help="print progress every N files")
        parser.add_argument(
            "--shard",
            default="1/1",
            help="K/N: take only every N-th file starting with the K-th, to run N imports in parallel",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        if not source.exists():
            raise CommandError(f"{source} does not exist")
        actor = None
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']}")
        try:
            shard, shards = (int(part) for part in options["shard"].split("/"))
            if not 1 <= shard <= shards:
                raise ValueError
        except ValueError:
            raise CommandError("--shard must look like 2/4") from None

        def entries():  # type: ignore[no-untyped-def]
            for index, entry in enumerate(services.iter_entries(source)):
                if index % shards == shard - 1:
                    yield entry

        total = sum(1 for _entry in entries())  # first pass: count only
        self.stdout.write(f"{total} file(s) to check in {source}")
        started = time.monotonic()
        counts = {"imported": 0, "skipped": 0, "duplicate": 0, "failed": 0, "missing": 0}
        pages = documents = unassigned = processed_files = 0
        every = max(1, options["progress_every"])
        for done, entry in enumerate(entries(), start=1):
            if not entry.path.is_file():
                counts["missing"] += 1
                self.stderr.write(f"missing: {entry.path}")
                continue
            result = services.import_file(entry, actor=actor)
            counts[result.status] += 1
            if result.status == "failed":
                self.stderr.write(f"failed: {entry.path}: {result.error}")
            if result.status == "imported":
                processed_files += 1
                pages += result.pages
                documents += result.documents
                unassigned += result.unassigned
            if done % every == 0 or done == total:
                elapsed = time.monotonic() - started
                rate = pages / elapsed if elapsed else 0.0
                file_rate = processed_files / elapsed if elapsed else 0.0
                remaining = (total - done) / file_rate if file_rate else 0.0
                self.stdout.write(
                    f"[{done}/{total}] files, {pages} pages, {documents} documents, "
                    f"{rate:.1f} pages/s, elapsed {_duration(elapsed)}, ETA {_duration(remaining)}"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"done: {counts['imported']} imported, {counts['skipped']} already imported, "
                f"{counts['duplicate']} duplicate(s), {counts['failed']} failed, {counts['missing']} missing; "
                f"{pages} pages, {documents} documents, {unassigned} segment(s) to assign at the scan station"
            )
        )
