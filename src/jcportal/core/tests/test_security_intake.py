"""Files from strangers: the anonymous access request's ID document goes through the intake checks of
every upload (type from the content, limits, cleaning under a memory and time limit), and a body that is
too large is refused from its length before any of it is read (issue 13)."""

from __future__ import annotations

import io
import resource

import pikepdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from jcportal.accounts.models import AccessRequest
from jcportal.core.testing.fixtures import login_staff
from jcportal.documents import limits, normalise
from jcportal.documents.tests import samples

pytestmark = pytest.mark.django_db


def _request(household, upload: SimpleUploadedFile | None, language: str = "de"):  # type: ignore[no-untyped-def]
    data = {
        "first_name": "Olena",
        "last_name": "Kovalenko",
        "date_of_birth": "09.03.1988",
        "street": "Teststraße 1",
        "postcode": household.postcode,
        "city": "Teststadt",
        "privacy": "on",
    }
    if upload is not None:
        data["id_document"] = upload
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(reverse("accounts:access-request"), data)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("ausweis.pdf", samples.encrypted_pdf, "encrypted_pdf"),
        ("ausweis.jpg", samples.truncated_jpeg, "corrupt_image"),
        ("ausweis.png", samples.png_bomb, "too_many_pixels"),
    ],
)
def test_hostile_id_documents_are_refused_with_a_translated_message(household, name, content, code):  # type: ignore[no-untyped-def]
    """The message of the upload's file problem, in the visitor's language (the catalogue's wording)."""
    from django.utils.html import escape

    from jcportal.documents import problems

    response = _request(household, SimpleUploadedFile(name, content()), language="tr")
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("tr"):
        expected = escape(str(problems.get(code).message))
    assert "error-summary" in page and expected in page
    assert not AccessRequest.objects.exists()


def test_an_id_document_pdf_with_javascript_is_kept_only_cleaned(household, caseworker):  # type: ignore[no-untyped-def]
    response = _request(household, SimpleUploadedFile("ausweis.pdf", samples.javascript_pdf()))
    assert response.status_code == 302
    access_request = AccessRequest.objects.get()
    stored = access_request.id_document.open("rb").read()
    assert stored != samples.javascript_pdf()
    with pikepdf.open(io.BytesIO(stored)) as document:
        assert (
            "/OpenAction" not in document.Root
            and "/Names" not in document.Root
            or ("/JavaScript" not in document.Root.Names)
        )
        assert "/AA" not in document.pages[0].obj
    served = login_staff(Client(), caseworker).get(
        reverse("backoffice:access-request-document", kwargs={"access_request_id": access_request.pk})
    )
    assert b"".join(served.streaming_content) == stored
    assert served["Content-Type"] == "application/pdf" and served["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in served["Content-Security-Policy"]
    assert served["Content-Security-Policy"].startswith("default-src 'none'")


def test_an_id_photo_is_stored_as_a_pdf_page_and_its_name_cleaned(household):  # type: ignore[no-untyped-def]
    name = "../../ausweis\u202egpj.exe.png"
    response = _request(household, SimpleUploadedFile(name, samples.png()))
    assert response.status_code == 302
    access_request = AccessRequest.objects.get()
    assert access_request.id_document_content_type == "application/pdf"
    assert access_request.id_document.name.endswith(".pdf") and ".." not in access_request.id_document.name
    assert access_request.id_document_name == "ausweisgpj.exe.png"
    assert access_request.id_document.open("rb").read().startswith(b"%PDF-")


def test_a_60_mb_body_is_refused_before_it_is_read(household, settings):  # type: ignore[no-untyped-def]
    """The view is never reached and not one byte of the body is read: a translated 413 page."""
    from jcportal.accounts.views import access_request_view
    from jcportal.core.middleware import RequestBodyLimitMiddleware

    class Unreadable(io.RawIOBase):
        def read(self, *args):  # type: ignore[no-untyped-def]
            raise AssertionError("the body was read")

        readline = readinto = read  # type: ignore[assignment]

    request = RequestFactory().post(
        reverse("accounts:access-request"), data=b"", content_type="multipart/form-data; boundary=x"
    )
    request.META["CONTENT_LENGTH"] = str(60 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request.user = AnonymousUser()
    request.session = SessionStore()
    middleware = RequestBodyLimitMiddleware(lambda r: pytest.fail("the view ran"))  # type: ignore[arg-type,return-value]
    with translation.override("en"):
        response = middleware.process_view(request, access_request_view, (), {})
    assert response is not None and response.status_code == 413
    assert "At most 11 MB can be sent at once" in response.content.decode()


def test_the_limit_is_checked_on_every_view(client, settings):  # type: ignore[no-untyped-def]
    settings.REQUEST_MAX_BODY_BYTES = 1000
    response = client.post(
        reverse("core:accessibility-feedback"), {"message": "x" * 2000}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode() and 'class="site-header' in response.content.decode()


# --- the limits of the decoding child (documents.limits) ---------------------------------------------


def _allocate_without_end() -> bytes:
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))


def _spin() -> None:
    while True:
        pass


def test_a_decoder_that_allocates_without_end_is_stopped_and_the_process_lives():  # type: ignore[no-untyped-def]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(limits.LimitExceeded) as raised:
        limits.run_limited(_allocate_without_end, memory_mb=128, seconds=20)
    assert raised.value.reason == "memory"
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024
    )  # KiB: not in this process


def test_a_decoder_that_never_ends_is_stopped():  # type: ignore[no-untyped-def]
    with pytest.raises(limits.LimitExceeded) as raised:
        limits.run_limited(_spin, seconds=1)
    assert raised.value.reason == "time"


def test_file_problems_and_results_come_back_from_the_child():  # type: ignore[no-untyped-def]
    with pytest.raises(normalise.FileProblem) as raised:
        normalise.convert(io.BytesIO(samples.png_bomb()))
    assert raised.value.code == "too_many_pixels"
    assert normalise.convert(io.BytesIO(samples.png())).pdf.startswith(b"%PDF-")


def test_a_file_beyond_the_limits_is_refused_with_a_message(settings):  # type: ignore[no-untyped-def]
    settings.CONVERT_MEMORY_MB = 16  # far too little for decoding 4000×4000 pixels (48 MB)
    with pytest.raises(normalise.FileProblem) as raised:
        normalise.convert(io.BytesIO(samples.png(size=(4000, 4000))))
    assert raised.value.code == "too_complex"
    from jcportal.documents import problems

    with translation.override("en"):
        assert "memory or time" in str(problems.get("too_complex").message)


# --- administrators' uploads (sign-language videos) ----------------------------------------------------

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def _video_form(content: bytes, name: str = "dgs.mp4"):  # type: ignore[no-untyped-def]
    from jcportal.core.admin import SignLanguageVideoForm

    return SignLanguageVideoForm(
        data={
            "title": "Willkommen",
            "description": "",
            "duration_seconds": 60,
            "position": 0,
            "published": "on",
        },
        files={"file": SimpleUploadedFile(name, content)},
    )


def test_an_admin_video_upload_is_checked_by_its_content(settings):  # type: ignore[no-untyped-def]
    settings.MALWARE_SCAN_REQUIRED = False
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    page = _video_form(b"<html><script>alert(1)</script></html>")
    assert not page.is_valid() and "file" in page.errors
    assert _video_form(MP4_HEAD).is_valid()


def test_an_admin_video_upload_is_scanned_for_malware(clamd):  # type: ignore[no-untyped-def]
    infected = _video_form(MP4_HEAD + samples.eicar())
    assert not infected.is_valid()
    with translation.override("en"):
        assert "malware" in str(infected.errors["file"])


def test_a_thumbnail_beyond_the_limits_is_blank_and_the_process_lives(settings, monkeypatch):  # type: ignore[no-untyped-def]
    from PIL import Image

    settings.CONVERT_MEMORY_MB = 64
    monkeypatch.setattr(normalise, "_rendered_thumbnail", lambda *args: _allocate_without_end())
    png = normalise.thumbnail_png(samples.pdf())
    image = Image.open(io.BytesIO(png))
    assert image.width == 240 and image.getextrema() == (255, 255)


# --- the other ways in: they all hand their files to documents.services.accept_upload ------------------


def test_a_hostile_answer_to_a_document_request_gets_the_intake_checks(
    citizen_client, household, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from jcportal.docrequests.tests.factories import DocumentRequestFactory, DocumentRequestItemFactory
    from jcportal.documents.models import Document

    doc_request = DocumentRequestFactory(household=household)
    bomb_item = DocumentRequestItemFactory(request=doc_request, doc_type="kontoauszug")
    script_item = DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    url = reverse("portal:request", args=[doc_request.pk])
    for item, name, content in (
        (bomb_item, "konto.png", samples.png_bomb()),
        (script_item, "miete.pdf", samples.javascript_pdf()),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            citizen_client.post(
                url, {"item": item.pk, f"item{item.pk}-upload": [SimpleUploadedFile(name, content)]}
            )
    bomb = Document.objects.get(doc_type="kontoauszug")
    assert bomb.status == Document.Status.REJECTED and bomb.rejection_code == "too_many_pixels"
    cleaned = Document.objects.get(doc_type="mietvertrag")
    assert cleaned.status == Document.Status.DELIVERED
    with pikepdf.open(io.BytesIO(cleaned.pdf.open("rb").read())) as document:
        assert "/OpenAction" not in document.Root
