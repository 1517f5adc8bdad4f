"""Backup → wipe → restore → sanity check gives the same documents with the same checksums, on the
database under test (SQLite or PostgreSQL) and with local or S3 storage (moto in server mode)."""

from __future__ import annotations

import hashlib
import io
import json
import uuid

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jcportal.casework import search
from jcportal.core import backup, crypto, storage
from jcportal.documents import services
from jcportal.documents.models import Document
from jcportal.documents.tests import samples
from jcportal.households.models import Household

from .crypto_helpers import IBAN, SECRET_WORD, raw_objects, text_pdf


@pytest.fixture(params=["filesystem", "s3"])
def object_storage(request, settings):  # type: ignore[no-untyped-def]
    if request.param == "s3":
        endpoint = request.getfixturevalue("aws")
        bucket = f"jcportal-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1").create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "jcportal.core.storage.EncryptedS3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": endpoint,
                    "access_key": "testing",
                    "secret_key": "testing",
                    "region_name": "eu-central-1",
                    "default_acl": None,
                    "file_overwrite": False,
                },
            },
        }
    return request.param


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state() -> dict[str, object]:
    documents = {}
    for document in Document.objects.order_by("pk"):
        with storage.open(document.pdf.name) as handle:
            pdf = handle.read()
        originals = [(o.sha256, o.file.name) for o in document.originals.order_by("position")]
        documents[str(document.pk)] = (
            document.pdf_sha256,
            _sha(pdf),
            originals,
            document.note,
            document.ocr_text,
        )
    return {
        "documents": documents,
        "objects": {name: _sha(data) for name, data in raw_objects().items()},
        "ibans": sorted(Household.objects.values_list("iban", flat=True)),
        "found": sorted(
            str(pk)
            for pk in search.matching_documents(Document.objects.all(), SECRET_WORD).values_list(
                "pk", flat=True
            )
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_identical_documents_and_checksums(
    own_keys, object_storage, household, tmp_path
):
    household.iban = IBAN
    household.save()
    for files in ([("a.jpg", samples.jpeg()), ("b.png", samples.png())], [("vertrag.pdf", text_pdf())]):
        document = services.accept_upload(
            household=household,
            uploaded_by=None,
            doc_type="mietvertrag",
            title="Mietvertrag",
            files=[(name, io.BytesIO(data)) for name, data in files],
            note="Bitte ansehen",
        )
    document = Document.objects.get(pk=document.pk)
    document.ocr_text = f"Mietvertrag {SECRET_WORD}"
    document.save(update_fields=["ocr_text"])
    backend = type(storage.storage()._wrapped).__name__
    assert backend == {"s3": "EncryptedS3Storage", "filesystem": "EncryptedFileSystemStorage"}[object_storage]
    before = _state()
    assert len(before["documents"]) == 2 and before["found"] == [str(document.pk)]
    call_command("verify_audit_chain", stdout=io.StringIO())

    folder, keys = tmp_path / "backup", tmp_path / "backup" / "keys"
    call_command("backup", str(folder), "--include-keys", stdout=io.StringIO())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {entry["name"] for entry in manifest["objects"]} == set(before["objects"])
    assert all(entry["encrypted"] for entry in manifest["objects"])
    assert IBAN.encode() not in (folder / "database.jsonl").read_bytes()  # columns stay encrypted
    assert SECRET_WORD.encode() not in (folder / "database.jsonl").read_bytes()
    assert (keys / "master.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="not empty"):  # never overwrites a backup
        call_command("backup", str(folder), stdout=io.StringIO())

    # wipe: a new machine with an empty database, an empty bucket and no master key
    for name in list(storage.iter_names()):
        storage.delete(name)
    call_command("flush", interactive=False, verbosity=0)
    own_keys.unlink()
    crypto.forget_cached_keys()
    assert not Document.objects.exists() and not raw_objects()

    call_command("restore", str(folder), stdout=io.StringIO())
    assert _state() == before
    output = io.StringIO()
    call_command("documents_sanity_check", stdout=output)
    assert "all document files are present and unchanged" in output.getvalue()
    call_command("verify_audit_chain", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):  # restore only into an empty installation
        call_command("restore", str(folder), stdout=io.StringIO())


@pytest.mark.django_db
def test_a_damaged_backup_or_one_without_keys_is_refused(own_keys, household, tmp_path):
    services.accept_upload(
        household=household,
        uploaded_by=None,
        doc_type="mietvertrag",
        title="M",
        files=[("a.jpg", io.BytesIO(samples.jpeg()))],
    )
    folder = tmp_path / "backup"
    manifest = backup.backup(folder)
    assert manifest["keys"] == {} and not (folder / "keys").exists()
    with pytest.raises(backup.BackupError, match="no key material"):
        backup.restore(folder)
    damaged = folder / "objects" / manifest["objects"][0]["name"]
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"x")
    assert backup.verify(folder) == [f"checksum mismatch: objects/{manifest['objects'][0]['name']}"]
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(folder)
