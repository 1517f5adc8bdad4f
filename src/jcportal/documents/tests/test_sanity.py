from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from . import samples

pytestmark = pytest.mark.django_db


def test_sanity_check_finds_changed_missing_and_orphaned_files(upload, capsys):
    document = upload(("a.jpg", samples.jpeg()), ("b.jpg", samples.jpeg("blue")))
    call_command("documents_sanity_check")
    assert "all document files are present and unchanged" in capsys.readouterr().out

    first, second = document.originals.all()
    default_storage.delete(first.file.name)
    default_storage.save(first.file.name, ContentFile(b"tampered"))
    default_storage.delete(second.file.name)
    default_storage.save("documents/stray.pdf", ContentFile(b"%PDF-1.7"))
    with pytest.raises(CommandError, match="3 problem"):
        call_command("documents_sanity_check")
    out = capsys.readouterr().out
    assert f"checksum mismatch: original {first.file.name}" in out
    assert f"missing original: document {document.pk} file 1" in out
    assert "orphaned file: documents/stray.pdf" in out
