"""Encryption at rest as an operator and an attacker with a copy of the disk see it (issue 15):
no stored object and no database byte shows a document, an IBAN or a word of a document (the full-text
index excepted, as docs/security.md says); without the master key nothing is served and nothing lost;
key rotation, the AWS KMS provider (against moto in server mode) and encrypting a plaintext installation."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import User
from jcportal.core import crypto, storage
from jcportal.core.crypto import maintenance
from jcportal.core.crypto import stream as cstream
from jcportal.core.models import DataKey
from jcportal.documents import sanity, services
from jcportal.documents.models import Document
from jcportal.documents.tests import samples
from jcportal.eforms.models import Submission
from jcportal.eforms.tests.helpers import fill, png, start
from jcportal.eforms.tests.test_services_http import ERSTANTRAG_STEPS, send
from jcportal.households.models import Household

from .conftest import free_port
from .crypto_helpers import (
    IBAN,
    SECRET_WORD,
    SIGNATURES,
    raw_database,
    raw_objects,
    text_pdf,
    upload_through_portal,
)


def _citizen_client() -> Client:
    client = Client()
    client.cookies["jcportal_language"] = "en"
    client.force_login(User.objects.get(username="demo-kunde"))
    return client


@pytest.mark.django_db(transaction=True)
def test_no_object_and_no_database_byte_shows_a_document_an_iban_or_a_word(
    own_keys, demo_data, django_capture_on_commit_callbacks
):
    citizen = _citizen_client()
    upload_through_portal(
        citizen,
        django_capture_on_commit_callbacks,
        ("seite1.jpg", samples.jpeg()),
        ("seite2.png", samples.png()),
        ("vertrag.pdf", text_pdf()),
        note=f"Bitte das {SECRET_WORD}-Blatt beachten",
    )
    document = Document.objects.order_by("-received_at").first()
    assert document.status == Document.Status.DELIVERED and document.thumbnail
    document.ocr_text = f"Mietvertrag {SECRET_WORD} Lindenweg"  # what the OCR step writes (disabled in tests)
    document.save(update_fields=["ocr_text"])
    applicant = Client()
    steps = {**ERSTANTRAG_STEPS, "evidence": {"id_document": png("ausweis.png")}}
    steps["housing"] = {k: v for k, v in steps["housing"].items() if v is not None}
    submission = send(applicant, fill(applicant, start(applicant, "erstantrag"), steps))
    assert submission.data["bank"]["iban"] == IBAN  # the application reads as filed

    objects = raw_objects()
    assert len(objects) >= 8  # originals, PDFs, thumbnails, previews, receipts, the copy of the application
    for name, data in objects.items():
        assert data.startswith(cstream.MAGIC), name
        assert not data.startswith(SIGNATURES), name
        assert SECRET_WORD.encode() not in data and IBAN.encode() not in data, name
    database = raw_database()
    assert IBAN.encode() not in database
    assert SECRET_WORD.encode() not in database and SECRET_WORD.lower().encode() not in database
    # the documented exception: the full-text index holds the document's words, and only it
    with_index = raw_database(without_search_index=False).lower()
    assert SECRET_WORD.lower().encode() in with_index and IBAN.encode() not in with_index
    assert Submission.objects.get(pk=submission.pk).data["bank"]["iban"] == IBAN
    assert Household.objects.get(bg_number="12345BG0000001").iban  # the demo household's IBAN, readable
    assert list(sanity.check()) == []


@pytest.mark.django_db
def test_without_the_master_key_nothing_is_served_and_nothing_lost(
    own_keys, demo_data, django_capture_on_commit_callbacks
):
    citizen = _citizen_client()
    upload_through_portal(citizen, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    document = Document.objects.order_by("-received_at").first()
    pdf_url = reverse("portal:document-pdf", kwargs={"document_id": document.pk})
    before = citizen.get(pdf_url)
    assert before.status_code == 200
    pdf = b"".join(before.streaming_content)
    master = own_keys.read_bytes()
    objects, documents = raw_objects(), Document.objects.count()

    own_keys.unlink()
    crypto.forget_cached_keys()
    refused = citizen.get(pdf_url)
    assert refused.status_code == 503
    assert "Documents cannot be opened at the moment" in refused.content.decode()
    assert "Nothing was lost" in refused.content.decode()
    german = Client()
    german.cookies["jcportal_language"] = "de"
    german.force_login(User.objects.get(username="demo-kunde"))
    assert german.get(pdf_url).status_code == 503
    with django_capture_on_commit_callbacks(execute=True):  # a new upload is refused, not stored in plain
        refused = citizen.post(
            reverse("portal:upload"),
            {
                "doc_type": "mietvertrag",
                "complete": "1",
                "files": [SimpleUploadedFile("b.jpg", samples.jpeg())],
            },
        )
    assert refused.status_code == 503
    assert raw_objects() == objects and Document.objects.count() == documents
    assert any("does not decrypt" in problem for problem in sanity.check())
    assert not own_keys.exists()  # never silently replaced by a new master key
    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["components"]["keys"] == {
        "ok": False,
        "required": True,
        "detail": "local master key missing",
    }

    own_keys.write_bytes(master)
    crypto.forget_cached_keys()
    again = citizen.get(pdf_url)
    assert again.status_code == 200 and b"".join(again.streaming_content) == pdf
    assert list(sanity.check()) == []


def _accept(household, data: bytes = b"", name: str = "a.jpg"):  # type: ignore[no-untyped-def]
    document = services.accept_upload(
        household=household,
        uploaded_by=None,
        doc_type="mietvertrag",
        title="Mietvertrag",
        files=[(name, io.BytesIO(data or samples.jpeg()))],
    )
    return Document.objects.get(pk=document.pk)


def _read_all(document: Document) -> bytes:
    with storage.open(document.originals.first().file.name) as handle:
        return handle.read()


@pytest.mark.django_db
def test_rotating_the_local_master_key_rewraps_every_data_key_and_resumes(own_keys, monkeypatch):
    from jcportal.households.tests.factories import HouseholdFactory

    documents = [_accept(HouseholdFactory()) for _ in range(3)]
    contents = [_read_all(document) for document in documents]
    old_master, old_keks = own_keys.read_text(), set(DataKey.objects.values_list("kek_id", flat=True))

    real_update = DataKey.objects.filter  # an interruption after the first rewrapped key
    calls = {"n": 0}

    def flaky_filter(*args, **kwargs):  # type: ignore[no-untyped-def]
        if "destroyed_at__isnull" in kwargs and "pk" in kwargs:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("power cut")
        return real_update(*args, **kwargs)

    monkeypatch.setattr(DataKey.objects, "filter", flaky_filter)
    with pytest.raises(RuntimeError):
        maintenance.rotate_master_key()
    monkeypatch.undo()
    assert own_keys.with_name("master.key.new").exists()  # staged, reused by the second run
    call_command("rotate_master_key", stdout=io.StringIO())
    assert own_keys.read_text() != old_master and not own_keys.with_name("master.key.new").exists()
    assert not set(DataKey.objects.values_list("kek_id", flat=True)) & old_keks
    crypto.forget_cached_keys()
    assert [_read_all(document) for document in documents] == contents


@pytest.mark.django_db(transaction=True)
def test_encrypt_existing_encrypts_a_plaintext_installation_resumably_and_never_twice(
    own_keys, settings, household, monkeypatch
):
    settings.ENCRYPTION_AT_REST = False
    documents = [_accept(household), _accept(household, samples.pdf(), "b.pdf")]
    Household.objects.filter(pk=household.pk).update(iban=IBAN)
    Document.objects.filter(pk=documents[0].pk).update(note=SECRET_WORD)
    contents = [_read_all(document) for document in documents]
    assert all(data.startswith(SIGNATURES) for data in raw_objects().values())
    assert IBAN.encode() in raw_database()

    settings.ENCRYPTION_AT_REST = True
    real, calls = maintenance.encrypt_object, {"n": 0}

    def interrupted(name: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(name)

    monkeypatch.setattr(maintenance, "encrypt_object", interrupted)
    with pytest.raises(KeyboardInterrupt):
        maintenance.encrypt_existing()
    monkeypatch.undo()
    call_command("encrypt_existing", stdout=io.StringIO())
    objects = raw_objects()
    assert objects and all(data.startswith(cstream.MAGIC) for data in objects.values())
    assert IBAN.encode() not in raw_database() and SECRET_WORD.encode() not in raw_database()
    assert maintenance.encrypt_existing() == (0, 0)  # nothing left, nothing encrypted twice
    assert raw_objects() == objects
    assert [_read_all(document) for document in documents] == contents
    assert Household.objects.get(pk=household.pk).iban == IBAN
    assert Document.objects.get(pk=documents[0].pk).note == SECRET_WORD
    assert list(sanity.check()) == []


# -- AWS KMS against moto in server mode -----------------------------------------------------------------


@pytest.mark.django_db
def test_aws_kms_provider_wraps_rotates_and_refuses_when_unreachable(own_keys, settings, aws):
    from jcportal.households.tests.factories import HouseholdFactory

    kms = boto3.client("kms", endpoint_url=aws, region_name="eu-central-1")
    first = kms.create_key(Description="jcportal test")["KeyMetadata"]["KeyId"]
    settings.KEY_PROVIDER, settings.KMS_ENDPOINT_URL, settings.KMS_KEY_ID = "aws-kms", aws, first
    crypto.forget_cached_keys()
    assert crypto.provider_status() == (True, "KMS key enabled")
    household = HouseholdFactory()
    document = _accept(household)
    content = _read_all(document)
    assert set(DataKey.objects.values_list("provider", "kek_id")) == {("aws-kms", first)}
    assert not own_keys.exists()  # no local master key involved

    call_command("rotate_master_key", stdout=io.StringIO())  # a new KMS key
    second = DataKey.objects.values_list("kek_id", flat=True).get(household_id=household.pk)
    assert second != first
    kms.disable_key(KeyId=first)  # the old key is no longer needed
    crypto.forget_cached_keys()
    assert _read_all(Document.objects.get(pk=document.pk)) == content

    settings.KMS_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # KMS unreachable
    crypto.forget_cached_keys()
    with pytest.raises(crypto.KeyUnavailable):
        _read_all(Document.objects.get(pk=document.pk))


@pytest.mark.django_db
def test_data_keys_move_from_the_local_master_key_to_kms(own_keys, settings, aws, household):
    document = _accept(household)
    content = _read_all(document)
    kms = boto3.client("kms", endpoint_url=aws, region_name="eu-central-1")
    key_id = kms.create_key(Description="jcportal target")["KeyMetadata"]["KeyId"]
    settings.KMS_ENDPOINT_URL = aws
    call_command("rotate_master_key", "--provider", "aws-kms", "--kms-key-id", key_id, stdout=io.StringIO())
    assert set(DataKey.objects.values_list("provider", flat=True)) == {"aws-kms"}
    own_keys.unlink()
    settings.KEY_PROVIDER, settings.KMS_KEY_ID = "aws-kms", key_id
    crypto.forget_cached_keys()
    assert _read_all(Document.objects.get(pk=document.pk)) == content


@pytest.mark.django_db
def test_what_moves_into_a_household_gets_its_key_and_is_shredded_with_it(
    own_keys, household, django_capture_on_commit_callbacks
):
    from jcportal.documents.storage_keys import rekey_after_commit

    with django_capture_on_commit_callbacks(execute=True):
        waiting = _accept(None)  # clearing: the system key
    submission = Submission.objects.create(
        form_slug="erstantrag", form_version=1, data={"bank": {"iban": IBAN}}
    )
    system_key = DataKey.objects.get(household_id__isnull=True).pk
    names = list(raw_objects())
    assert {cstream.Header.unpack(data[: cstream.HEADER_SIZE]).key_id for data in raw_objects().values()} == {
        system_key
    }
    Document.objects.filter(pk=waiting.pk).update(household=household)
    Submission.objects.filter(pk=submission.pk).update(household=household)
    with django_capture_on_commit_callbacks(execute=True):
        rekey_after_commit([waiting.pk], Submission.objects.get(pk=submission.pk))
    household_key = DataKey.objects.get(household_id=household.pk).pk
    assert list(raw_objects()) == names
    assert {cstream.Header.unpack(data[: cstream.HEADER_SIZE]).key_id for data in raw_objects().values()} == {
        household_key
    }
    assert Submission.objects.get(pk=submission.pk).data["bank"]["iban"] == IBAN
    assert maintenance.encrypt_existing() == (0, 0)  # nothing left under the wrong key

    crypto.destroy_household_key(household.pk)
    assert Submission.objects.get(pk=submission.pk).data == {}  # shredded: reads as empty
    with pytest.raises(crypto.KeyDestroyed):
        _read_all(Document.objects.get(pk=waiting.pk))
    assert all("its data key was destroyed" in problem for problem in sanity.check() if "decrypt" in problem)
