"""The intake pipeline: what arrives in the inbox, and what happens to each kind of bad input."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from django.core.files.storage import default_storage

from jcportal.audit.models import AuditEvent
from jcportal.documents import lifecycle, pipeline, selectors, services
from jcportal.documents.models import Document, OriginalFile
from jcportal.inbox.models import InboxItem

from . import samples

pytestmark = pytest.mark.django_db


def jpeg_streams(document: Document) -> list[bytes]:
    with document.pdf.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
        streams = []
        for page in pdf.pages:
            for image in page.get_images().values():
                if image.get("/Filter") == pikepdf.Name.DCTDecode:
                    streams.append(image.read_raw_bytes())
        return streams


def test_photos_become_one_pdf_in_the_caseworkers_inbox(upload, caseworker):
    first, second = samples.jpeg("red"), samples.jpeg("blue", orientation=6)
    document = upload(("seite1.jpg", first), ("seite2.jpg", second), ("seite3.png", samples.png()))

    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 3
    assert document.pipeline_step == pipeline.DONE
    assert document.thumbnail
    with document.pdf.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == document.pdf_sha256
    # JPEGs are embedded without re-encoding, the EXIF rotation became the page's /Rotate
    assert jpeg_streams(document) == [first, second]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert int(pdf.pages[1].obj.get("/Rotate", 0)) == 90
        assert int(pdf.pages[0].obj.get("/Rotate", 0)) == 0
    item = InboxItem.objects.get(document=document)
    assert item.assignee == caseworker
    originals = list(document.originals.all())
    assert [o.original_name for o in originals] == ["seite1.jpg", "seite2.jpg", "seite3.png"]
    assert originals[0].sha256 == hashlib.sha256(first).hexdigest()
    with originals[0].file.open("rb") as handle:
        assert handle.read() == first  # originals are kept byte-identical
    assert not default_storage.exists(f"work/{document.pk}/merged.pdf")  # work files cleaned up
    assert AuditEvent.objects.filter(action="document.delivered", object_id=str(document.pk)).exists()


def test_heic_webp_tiff_and_pdf_are_accepted(upload):
    document = upload(
        ("iphone.heic", samples.heic()),
        ("a.webp", samples.webp()),
        ("scan.tif", samples.tiff(frames=2)),
        ("brief.pdf", samples.pdf(pages=2)),
    )
    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 6
    types = [o.detected_type for o in document.originals.all()]
    assert types == ["image/heif", "image/webp", "image/tiff", "application/pdf"]


def test_type_is_detected_from_content_not_name(upload):
    document = upload(("foto.pdf", samples.jpeg()))  # a JPEG named .pdf
    assert document.status == Document.Status.DELIVERED
    assert document.originals.get().detected_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "factory", "code"),
    [
        ("leer.jpg", lambda: b"", "empty_file"),
        ("brief.jpg", samples.text_as_jpeg, "unsupported_type"),
        ("kaputt.jpg", samples.truncated_jpeg, "corrupt_image"),
        ("bombe.png", samples.png_bomb, "too_many_pixels"),
        ("geheim.pdf", samples.encrypted_pdf, "encrypted_pdf"),
        ("defekt.pdf", samples.broken_pdf, "broken_pdf"),
    ],
)
def test_one_bad_file_is_reported_and_the_good_ones_are_delivered(upload, name, factory, code):
    document = upload(("gut1.jpg", samples.jpeg()), (name, factory()), ("gut2.jpg", samples.jpeg("blue")))

    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 2
    notices = selectors.file_notices(document)
    assert [(n["name"], n["code"], n["accepted"]) for n in notices] == [(name, code, False)]
    assert str(notices[0]["message"])  # a translated message for the citizen
    assert document.originals.count() == 3  # the bad original is kept too (evidence)


@pytest.mark.parametrize(
    ("factory", "code"),
    [
        (samples.encrypted_pdf, "encrypted_pdf"),
        (samples.truncated_jpeg, "corrupt_image"),
        (samples.png_bomb, "too_many_pixels"),
    ],
)
def test_a_document_without_any_usable_file_is_rejected_with_reason(upload, factory, code):
    document = upload(("datei", factory()))
    assert document.status == Document.Status.REJECTED
    assert document.rejection_code == code
    assert not InboxItem.objects.filter(document=document).exists()
    assert selectors.rejection(document).code == code


def test_pdf_with_javascript_is_cleaned_and_delivered(upload):
    document = upload(("formular.pdf", samples.javascript_pdf()))
    assert document.status == Document.Status.DELIVERED
    with document.pdf.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/AA" not in pdf.pages[0].obj
    assert [n["code"] for n in document.file_notices] == ["active_content_removed"]


def test_too_many_pages(upload, settings):
    settings.UPLOAD_MAX_PAGES = 3
    document = upload(("lang.pdf", samples.pdf(pages=4)))
    assert document.status == Document.Status.REJECTED
    assert document.rejection_code == "too_many_pages"
    # several files that together exceed the limit
    document = upload(("a.pdf", samples.pdf(pages=2)), ("b.pdf", samples.pdf(pages=2)))
    assert document.rejection_code == "too_many_pages"


def test_eicar_is_quarantined_never_delivered_and_staff_alerted(upload, clamd, caseworker):
    from jcportal.households.tests.factories import TeamFactory

    clearing = TeamFactory(is_clearing=True)
    document = upload(("gut.jpg", samples.jpeg()), ("rechnung.jpg", samples.eicar()))

    assert document.status == Document.Status.QUARANTINED
    assert document.rejection_code == "malware"
    assert not document.pdf
    assert document.delivered_at is None
    item = InboxItem.objects.get(document=document)
    assert item.team == clearing and item.assignee is None
    assert "rechnung.jpg" in item.reason
    assert AuditEvent.objects.filter(action="document.quarantined", object_id=str(document.pk)).exists()
    assert not services.may_download(caseworker, document)


def test_clean_files_pass_the_real_scanner(upload, clamd):
    document = upload(("gut.jpg", samples.jpeg()))
    assert document.status == Document.Status.DELIVERED


def test_scanner_down_waits_without_counting_and_resumes_when_it_is_back(
    upload, settings, tmp_path, clamd_socket
):
    settings.MALWARE_SCAN_REQUIRED = True
    settings.CLAMD_SOCKET = str(tmp_path / "no-such-clamd.sock")
    settings.PIPELINE_MAX_ATTEMPTS = 3
    document = upload(("gut.jpg", samples.jpeg()))
    assert document.status == Document.Status.RECEIVED
    assert document.pipeline_step == "scan" and document.pipeline_state == pipeline.WAITING
    assert "unavailable" in document.pipeline_error
    # however long the outage lasts, waiting is no attempt: never given up, never delivered unscanned
    for _ in range(5):
        assert pipeline.run(str(document.pk)) == "waiting"
    document.refresh_from_db()
    assert document.status == Document.Status.RECEIVED and not document.pdf
    assert document.pipeline_attempts == 0
    assert not InboxItem.objects.filter(document=document).exists()
    assert pipeline.stalled_documents(older_than_seconds=-60).filter(pk=document.pk).exists()
    settings.CLAMD_SOCKET = clamd_socket  # the scanner is back
    assert pipeline.run(str(document.pk)) == "done"
    document.refresh_from_db()
    assert document.status == Document.Status.DELIVERED and document.pipeline_state == ""
    assert InboxItem.objects.filter(document=document).count() == 1


def test_pipeline_is_idempotent_and_resumable(upload, household, settings):
    document = upload(("a.jpg", samples.jpeg()), ("b.jpg", samples.jpeg("blue")))
    first_pdf = document.pdf.name
    # as if a worker had died after storing, before delivering: run again from "store"
    Document.objects.filter(pk=document.pk).update(pipeline_step="normalise", delivered_at=None)
    assert pipeline.run(str(document.pk)) == "done"
    document.refresh_from_db()
    assert InboxItem.objects.filter(document=document).count() == 1
    _dirs, names = default_storage.listdir(f"documents/{document.pk}")
    assert len(names) == 1 and document.pdf.name != first_pdf
    assert document.page_count == 2
    # a finished document is not run again
    assert pipeline.run(str(document.pk)) == "busy"


def test_a_live_lease_keeps_a_second_worker_out(upload):
    from django.utils import timezone

    document = upload(("a.jpg", samples.jpeg()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_step="deliver", pipeline_lease_until=timezone.now() + timezone.timedelta(minutes=5)
    )
    assert pipeline.run(str(document.pk)) == "busy"


def test_resumer_requeues_stalled_documents(household, citizen, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jcportal.core.registry import resumers

    document = services.accept_upload(  # on_commit never fires here: the task was "lost"
        household=household,
        uploaded_by=citizen,
        doc_type="kontoauszug",
        title="",
        files=[("a.jpg", io.BytesIO(samples.jpeg()))],
    )
    Document.objects.filter(pk=document.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    assert resumers["documents.pipeline"]() == 1
    document.refresh_from_db()
    assert document.status == Document.Status.DELIVERED
    assert resumers["documents.pipeline"]() == 0


def test_duplicates_are_recognised_by_checksum(upload):
    photo = samples.jpeg("red")
    first = upload(("mietvertrag.jpg", photo))
    second = upload(("IMG_0001.jpg", photo), ("neu.jpg", samples.jpeg("blue")))
    assert second.duplicate_of == first
    copies = selectors.earlier_copies(second)
    assert [(o.original_name, d.pk) for o, d in copies] == [("IMG_0001.jpg", first.pk)]
    assert second.status == Document.Status.DELIVERED  # they may still send it


def test_accept_upload_stores_originals_before_returning(household, citizen):
    document = services.accept_upload(
        household=household,
        uploaded_by=citizen,
        doc_type="mietvertrag",
        title="",
        files=[("a.jpg", io.BytesIO(samples.jpeg()))],
    )
    assert document.status == Document.Status.RECEIVED
    assert document.title == "Rental contract (Mietvertrag)" or document.title
    assert document.receipt_number.startswith("E-")
    original = OriginalFile.objects.get(document=document)
    assert default_storage.exists(original.file.name) and original.size > 0
    assert AuditEvent.objects.filter(action="document.received", object_id=str(document.pk)).exists()


def test_outbound_documents_are_not_routed(upload):
    document = upload(
        ("bescheid.pdf", samples.pdf()), doc_type="bescheid", direction=Document.Direction.OUTBOUND
    )
    assert document.status == Document.Status.DELIVERED
    assert not InboxItem.objects.filter(document=document).exists()


def test_store_generated_pdf(household, caseworker):
    document = services.store_generated_pdf(
        household=household,
        doc_type="wba",
        title="Weiterbewilligungsantrag",
        pdf_bytes=samples.pdf(pages=2),
        channel=Document.Channel.SERVICE,
    )
    assert document.status == Document.Status.DELIVERED
    assert document.page_count == 2 and document.thumbnail and document.pdf_sha256
    assert InboxItem.objects.get(document=document).assignee == caseworker


def test_ocr_adds_a_text_layer_without_reencoding_the_photo(upload, settings):
    from PIL import Image, ImageDraw

    settings.OCR_ENABLED = True
    settings.OCR_LANGUAGES = "eng"
    image = Image.new("RGB", (420, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 30), "MIETVERTRAG 2026", fill="black", font_size=40)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, dpi=(150, 150))
    photo = buffer.getvalue()
    document = upload(("text.jpg", photo))
    assert document.status == Document.Status.DELIVERED
    assert "MIETVERTRAG" in document.ocr_text.upper()
    assert jpeg_streams(document) == [photo]


def test_rating_summary():
    from jcportal.documents.selectors import rating_summary

    services.record_rating(household=None, user=None, stars=5)
    services.record_rating(household=None, user=None, stars=2, comment="zu langsam")
    summary = rating_summary()
    assert summary["count"] == 2 and summary["average"] == 3.5
    assert summary["weeks"][0]["count"] == 2
    with pytest.raises(ValueError):
        services.record_rating(household=None, user=None, stars=6)


def test_a_document_that_keeps_failing_is_parked_for_the_clearing_team(upload, settings, monkeypatch):
    from jcportal.households.tests.factories import TeamFactory
    from jcportal.inbox.models import InboxEvent

    clearing = TeamFactory(is_clearing=True)
    settings.PIPELINE_MAX_ATTEMPTS = 2
    document = upload(("a.jpg", samples.jpeg()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_step="merge", status=Document.Status.RECEIVED, delivered_at=None
    )
    InboxItem.objects.filter(document=document).delete()

    def broken(self, document):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.MergeStep, "run", broken)
    with pytest.raises(RuntimeError):
        pipeline.run(str(document.pk))
    assert pipeline.run(str(document.pk)) == "failed"
    document.refresh_from_db()
    assert document.pipeline_state == pipeline.FAILED and document.status == Document.Status.RECEIVED
    item = InboxItem.objects.get(document=document)
    assert item.team == clearing and "disk full" in item.reason
    assert item.household_id == document.household_id and item.doc_type == document.doc_type
    assert item.received_at == document.received_at
    assert InboxEvent.objects.filter(item=item, action=InboxEvent.Action.CLEARING).exists()
    assert not pipeline.stalled_documents(older_than_seconds=-60).filter(pk=document.pk).exists()
    assert pipeline.run(str(document.pk)) == "busy"  # parked: nobody runs it again by themselves


def test_attempts_count_when_claimed_so_a_worker_killer_is_parked(upload, settings):
    """A job that kills its worker never reaches an ``except``: its claims alone park it."""
    from jcportal.households.tests.factories import TeamFactory

    TeamFactory(is_clearing=True)
    settings.PIPELINE_MAX_ATTEMPTS = 3
    document = upload(("a.jpg", samples.jpeg()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_step="normalise", status=Document.Status.RECEIVED, delivered_at=None
    )
    InboxItem.objects.filter(document=document).delete()
    for attempt in range(1, 4):  # the worker dies in the step each time: the lease is simply left behind
        assert pipeline.claim(str(document.pk))
        pipeline.release(str(document.pk))
        document.refresh_from_db()
        assert document.pipeline_attempts == attempt
    assert not pipeline.claim(str(document.pk))
    document.refresh_from_db()
    assert document.pipeline_state == pipeline.FAILED
    assert "3 times" in document.pipeline_error
    assert InboxItem.objects.filter(document=document).count() == 1


def test_staff_retry_a_parked_document_and_it_is_routed_to_the_caseworker(
    upload, settings, caseworker, django_capture_on_commit_callbacks
):
    from jcportal.households.tests.factories import TeamFactory
    from jcportal.inbox.models import InboxEvent

    TeamFactory(is_clearing=True)
    settings.PIPELINE_MAX_ATTEMPTS = 1
    document = upload(("a.jpg", samples.jpeg()))
    Document.objects.filter(pk=document.pk).update(
        pipeline_step="normalise", status=Document.Status.RECEIVED, delivered_at=None
    )
    InboxItem.objects.filter(document=document).delete()
    assert pipeline.claim(str(document.pk))  # a crash
    pipeline.release(str(document.pk))
    assert pipeline.run(str(document.pk)) == "busy"
    document.refresh_from_db()
    assert document.pipeline_state == pipeline.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.retry_intake(document, actor=caseworker)  # eager: runs after the commit
    document.refresh_from_db()
    assert document.status == Document.Status.DELIVERED and document.pipeline_state == ""
    items = InboxItem.objects.filter(document=document)
    assert {(i.assignee_id, i.state) for i in items} == {(None, "done"), (caseworker.pk, "new")}
    assert AuditEvent.objects.filter(action="document.intake_retried", object_id=str(document.pk)).exists()
    assert InboxEvent.objects.filter(document=document, action=InboxEvent.Action.PROCESSED).count() == 1
    assert not lifecycle.retry_intake(document, actor=caseworker)
