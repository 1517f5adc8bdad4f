"""The citizen's side: upload page, bad input messages, receipt, My documents, downloads, survey."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from jcportal.audit.models import AuditEvent
from jcportal.documents.models import Document, ServiceRating

from . import samples

pytestmark = pytest.mark.django_db


def files(*items: tuple[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, data) for name, data in items]


def post_upload(client, django_capture_on_commit_callbacks, *items, **data):  # type: ignore[no-untyped-def]
    payload = {"doc_type": "mietvertrag", "title": "", "note": "", "complete": "1", **data}
    payload["files"] = files(*items)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("portal:upload"), payload)


def test_upload_page_offers_camera_types_and_limits(citizen_client, settings):
    response = citizen_client.get(reverse("portal:upload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'capture="environment"' in html and 'accept="image/*,application/pdf"' in html
    assert "multiple" in html
    assert 'value="mietvertrag"' in html and 'value="sonstiges"' in html
    assert 'value="bescheid"' not in html  # not for citizens
    assert "Your rental contract with all pages and signatures." in html  # explanation
    assert f"up to {settings.UPLOAD_MAX_FILES} files" in html
    assert f"{settings.UPLOAD_MAX_PAGES} pages per document" in html


def test_upload_gives_receipt_and_delivers(citizen_client, django_capture_on_commit_callbacks, caseworker):
    response = post_upload(
        citizen_client,
        django_capture_on_commit_callbacks,
        ("seite1.jpg", samples.jpeg()),
        ("seite2.heic", samples.heic()),
        note="Bitte an Frau Muster",
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:upload-done", kwargs={"document_id": document.pk})
    assert document.status == Document.Status.DELIVERED and document.page_count == 2
    assert document.note == "Bitte an Frau Muster"
    page = citizen_client.get(response["Location"]).content.decode()
    assert document.receipt_number in page
    assert "seite2.heic" in page and document.originals.first().sha256 in page

    receipt = citizen_client.get(reverse("portal:document-receipt", kwargs={"document_id": document.pk}))
    assert receipt["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert document.receipt_number in text and "seite1.jpg" in text
    assert document.originals.first().sha256[:20] in text.replace("\n", "")


def test_receipt_in_the_citizens_language(citizen_client, django_capture_on_commit_callbacks):
    post_upload(citizen_client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    document = Document.objects.get()
    citizen_client.cookies["jcportal_language"] = "en"
    receipt = citizen_client.get(reverse("portal:document-receipt", kwargs={"document_id": document.pk}))
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert "Proof of receipt" in text


def test_other_document_needs_a_title(citizen_client, django_capture_on_commit_callbacks):
    response = post_upload(
        citizen_client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()), doc_type="sonstiges"
    )
    assert response.status_code == 200
    assert "Enter a title for the document" in response.content.decode()
    assert not Document.objects.exists()


def test_no_file_chosen(citizen_client, django_capture_on_commit_callbacks):
    response = post_upload(citizen_client, django_capture_on_commit_callbacks)
    assert "Choose at least one photo or file." in response.content.decode()
    assert not Document.objects.exists()


def test_only_empty_file_is_refused_with_message_and_form_kept(
    citizen_client, django_capture_on_commit_callbacks
):
    response = post_upload(
        citizen_client, django_capture_on_commit_callbacks, ("leer.jpg", b""), note="meine Notiz"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "leer.jpg" in html and "The file is empty (0 bytes)." in html
    assert "meine Notiz" in html  # what the citizen typed is kept
    assert not Document.objects.exists()


def test_too_large_file_is_reported_and_the_others_are_sent(
    citizen_client, django_capture_on_commit_callbacks, settings
):
    settings.UPLOAD_MAX_FILE_BYTES = 5000
    big = samples.jpeg(size=(640, 480)) + b"\0" * 6000
    response = post_upload(
        citizen_client,
        django_capture_on_commit_callbacks,
        ("gut.jpg", samples.jpeg()),
        ("riesig.jpg", big),
    )
    document = Document.objects.get()
    assert document.status == Document.Status.DELIVERED and document.page_count == 1
    assert [o.original_name for o in document.originals.all()] == ["gut.jpg"]
    page = citizen_client.get(response["Location"]).content.decode()
    assert "riesig.jpg" in page and "The file is larger than allowed." in page


def test_too_many_files(citizen_client, django_capture_on_commit_callbacks, settings):
    settings.UPLOAD_MAX_FILES = 2
    response = post_upload(
        citizen_client, django_capture_on_commit_callbacks, *[(f"{i}.jpg", samples.jpeg()) for i in range(3)]
    )
    assert "You chose 3 files. Send at most 2 files per document." in response.content.decode()
    assert not Document.objects.exists()


def test_bad_file_among_good_ones_is_named_on_the_confirmation_page(
    citizen_client, django_capture_on_commit_callbacks
):
    response = post_upload(
        citizen_client,
        django_capture_on_commit_callbacks,
        ("1.jpg", samples.jpeg()),
        ("2.jpg", samples.jpeg("blue")),
        ("kaputt.jpg", samples.truncated_jpeg()),
        ("4.jpg", samples.jpeg("green")),
        ("geheim.pdf", samples.encrypted_pdf()),
    )
    page = citizen_client.get(response["Location"]).content.decode()
    assert "kaputt.jpg" in page and "The photo is damaged or incomplete" in page
    assert "geheim.pdf" in page and "protected by a password" in page
    assert Document.objects.get().page_count == 3


def test_interrupted_upload_creates_no_document(citizen_client):
    body = encode_multipart(
        BOUNDARY,
        {
            "doc_type": "mietvertrag",
            "title": "",
            "files": SimpleUploadedFile("a.jpg", samples.jpeg(size=(320, 240))),
            "complete": "1",
        },
    )
    cut = body[: body.index(b"a.jpg") + 400]  # the connection dropped in the middle of the photo
    response = citizen_client.generic("POST", reverse("portal:upload"), cut, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert "The upload was interrupted" in response.content.decode()
    assert not Document.objects.exists()


def test_my_documents_lists_status_and_reasons(citizen_client, django_capture_on_commit_callbacks):
    post_upload(citizen_client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    post_upload(citizen_client, django_capture_on_commit_callbacks, ("geheim.pdf", samples.encrypted_pdf()))
    html = citizen_client.get(reverse("portal:documents")).content.decode()
    assert "Delivered to the Jobcenter" in html
    assert "Rejected" in html and "protected by a password" in html
    delivered = Document.objects.get(status=Document.Status.DELIVERED)
    assert reverse("portal:document-thumbnail", kwargs={"document_id": delivered.pk}) in html
    thumb = citizen_client.get(reverse("portal:document-thumbnail", kwargs={"document_id": delivered.pk}))
    assert thumb["Content-Type"] == "image/png"


def test_detail_and_downloads_are_audited(citizen_client, django_capture_on_commit_callbacks):
    jpeg = samples.jpeg()
    post_upload(citizen_client, django_capture_on_commit_callbacks, ("a.jpg", jpeg))
    document = Document.objects.get()
    kwargs = {"document_id": document.pk}
    assert citizen_client.get(reverse("portal:document", kwargs=kwargs)).status_code == 200
    pdf = citizen_client.get(reverse("portal:document-pdf", kwargs=kwargs))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    original = citizen_client.get(reverse("portal:document-original", kwargs={**kwargs, "position": 0}))
    assert b"".join(original.streaming_content) == jpeg
    actions = list(AuditEvent.objects.filter(object_id=str(document.pk)).values_list("action", flat=True))
    assert "document.viewed" in actions and actions.count("document.downloaded") == 2


def test_foreign_households_documents_are_404(client, django_capture_on_commit_callbacks, citizen_client):
    from jcportal.accounts.tests.factories import CitizenFactory

    post_upload(citizen_client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    document = Document.objects.get()
    stranger = CitizenFactory()
    client.force_login(stranger)
    kwargs = {"document_id": document.pk}
    for name in (
        "portal:document",
        "portal:document-pdf",
        "portal:document-thumbnail",
        "portal:document-receipt",
        "portal:upload-done",
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert (
        client.get(reverse("portal:document-original", kwargs={**kwargs, "position": 0})).status_code == 404
    )
    assert document.title not in client.get(reverse("portal:documents")).content.decode()


def test_survey_after_sending(citizen_client, django_capture_on_commit_callbacks):
    post_upload(citizen_client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    document = Document.objects.get()
    url = reverse("portal:upload-rating", kwargs={"document_id": document.pk})
    done = reverse("portal:upload-done", kwargs={"document_id": document.pk})
    page = citizen_client.get(done).content.decode()
    assert '<fieldset class="fieldset"' in page and 'name="stars"' in page
    response = citizen_client.post(url, {"stars": "9"})
    assert response.status_code == 400
    response = citizen_client.post(url, {"stars": "4", "comment": "Ging schnell"})
    assert response.status_code == 302
    rating = ServiceRating.objects.get()
    assert rating.stars == 4 and rating.comment == "Ging schnell" and rating.document == document
    citizen_client.post(url, {"stars": "1"})
    assert ServiceRating.objects.count() == 1
    assert "Thank you for your feedback." in citizen_client.get(done).content.decode()


def test_staff_cannot_use_the_citizen_upload(caseworker_client):
    assert caseworker_client.get(reverse("portal:upload")).status_code == 403


def test_representative_sends_for_the_household(household, django_capture_on_commit_callbacks):
    from django.test import Client

    from jcportal.accounts.models import Representation
    from jcportal.accounts.tests.factories import RepresentativeFactory

    representative = RepresentativeFactory()
    Representation.objects.create(representative=representative, household=household, scope_upload=True)
    client = Client()
    client.cookies["jcportal_language"] = "en"
    client.force_login(representative)
    response = post_upload(client, django_capture_on_commit_callbacks, ("a.jpg", samples.jpeg()))
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.household == household and document.by_representative
    assert document.uploaded_by == representative
    # without the "read" scope they see (and can download) what they sent themselves
    assert document.title in client.get(reverse("portal:documents")).content.decode()
    detail = client.get(reverse("portal:document", kwargs={"document_id": document.pk}))
    assert detail.status_code == 200
    pdf = client.get(reverse("portal:document-pdf", kwargs={"document_id": document.pk}))
    assert pdf.status_code == 200


def test_oversized_file_is_not_even_written_to_disk(rf, settings):
    from jcportal.documents.uploadhandlers import SizeLimitUploadHandler

    settings.UPLOAD_MAX_FILE_BYTES = 1000
    body = encode_multipart(
        BOUNDARY,
        {
            "files": [
                SimpleUploadedFile("klein.jpg", b"x" * 500),
                SimpleUploadedFile("gross.jpg", b"y" * 5000),
            ],
            "complete": "1",
        },
    )
    request = rf.generic("POST", "/portal/hochladen/", body, content_type=MULTIPART_CONTENT)
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    assert [f.name for f in request.FILES.getlist("files")] == ["klein.jpg"]
    assert request.too_large_files == ["gross.jpg"]
    assert request.POST["complete"] == "1"


def test_upload_checks_the_csrf_token(citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(
        reverse("portal:upload"),
        {"doc_type": "mietvertrag", "complete": "1", "files": files(("a.jpg", samples.jpeg()))},
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_internal_staff_documents_are_not_in_my_documents(citizen_client, household, caseworker):
    from jcportal.documents import services

    internal = services.store_generated_pdf(
        household=household,
        doc_type="schreiben",
        title="Aktenvermerk intern",
        pdf_bytes=samples.pdf(),
        channel=Document.Channel.BACKOFFICE,
        created_by=caseworker,
    )
    assert "Aktenvermerk intern" not in citizen_client.get(reverse("portal:documents")).content.decode()
    assert (
        citizen_client.get(reverse("portal:document", kwargs={"document_id": internal.pk})).status_code == 404
    )
