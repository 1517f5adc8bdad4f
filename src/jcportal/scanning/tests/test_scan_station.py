import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jcportal.accounts.models import Role
from jcportal.accounts.tests.factories import StaffFactory
from jcportal.core.testing.fixtures import login_staff
from jcportal.docrequests.tests.factories import DocumentRequestFactory, DocumentRequestItemFactory
from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.scanning import separator, services
from jcportal.scanning.models import ScanBatch

from .pdfs import build_scan, pages, sep


@pytest.fixture
def scan_client(db):
    return login_staff(Client(), StaffFactory(role=Role.SCAN_STATION))


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.mark.django_db
def test_upload_split_and_manual_assignment(scan_client, django_capture_on_commit_callbacks):
    known, other = HouseholdFactory(), HouseholdFactory()
    data = build_scan([pages(2), sep(known.bg_number, "mietvertrag"), pages(3)])
    with django_capture_on_commit_callbacks(execute=True):
        response = scan_client.post(reverse("backoffice:scan"), {"scans": [upload("post.pdf", data)]})
    batch = ScanBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:scan-batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.NEEDS_ASSIGNMENT
    document = Document.objects.get()
    assert (document.household, document.doc_type, document.channel) == (known, "mietvertrag", "scan")

    page = scan_client.get(reverse("backoffice:scan-batch", args=[batch.pk]))
    open_segment = batch.segments.get(household__isnull=True)
    assert f'name="seg{open_segment.pk}-bg_number"' in page.content.decode()

    search = scan_client.get(reverse("backoffice:scan-batch", args=[batch.pk]), {"q": other.bg_number[:9]})
    assert other in search.context["results"]
    prefilled = scan_client.get(
        reverse("backoffice:scan-batch", args=[batch.pk]), {"q": other.bg_number[:9], "use": other.bg_number}
    )
    assert f'value="{other.bg_number}"' in prefilled.content.decode()

    bad = scan_client.post(
        reverse("backoffice:scan-batch", args=[batch.pk]),
        {
            "segment": open_segment.pk,
            f"seg{open_segment.pk}-bg_number": "00000BG0000000",
            f"seg{open_segment.pk}-doc_type": "post",
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors["bg_number"]
    with django_capture_on_commit_callbacks(execute=True):
        good = scan_client.post(
            reverse("backoffice:scan-batch", args=[batch.pk]),
            {
                "segment": open_segment.pk,
                f"seg{open_segment.pk}-bg_number": other.bg_number.lower(),
                f"seg{open_segment.pk}-doc_type": "post",
            },
        )
    assert good.status_code == 302
    assigned = Document.objects.get(household=other)
    assert assigned.doc_type == "post"
    assert assigned.page_count == 2
    assert assigned.status == Document.Status.DELIVERED
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE

    preview = scan_client.get(reverse("backoffice:scan-batch-page", args=[batch.pk]), {"page": 1})
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert (
        scan_client.get(reverse("backoffice:scan-batch-page", args=[batch.pk]), {"page": 99}).status_code
        == 404
    )


@pytest.mark.django_db
def test_not_a_pdf_is_refused(scan_client):
    response = scan_client.post(reverse("backoffice:scan"), {"scans": [upload("foto.pdf", b"GIF89a....")]})
    assert response.status_code == 200
    assert response.context["form"].errors["scans"]
    assert not ScanBatch.objects.exists()


@pytest.mark.django_db
def test_separator_sheets_carry_household_and_type(scan_client, tmp_path):
    first, second = HouseholdFactory(), HouseholdFactory()
    response = scan_client.post(
        reverse("backoffice:scan-separators"),
        {
            "bg_numbers": f"{first.bg_number}\n{second.bg_number.lower()}\n",
            "doc_type": "kontoauszug",
            "copies": 2,
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "sheets.pdf"
    path.write_bytes(response.content)
    found = [s for _n, s in separator.scan_pages(path, 4)]
    assert found == [
        separator.Separator(first.bg_number, "kontoauszug"),
        separator.Separator(first.bg_number, "kontoauszug"),
        separator.Separator(second.bg_number, "kontoauszug"),
        separator.Separator(second.bg_number, "kontoauszug"),
    ]
    unknown = scan_client.post(
        reverse("backoffice:scan-separators"),
        {"bg_numbers": "00000BG0000000", "doc_type": "post", "copies": 1},
    )
    assert unknown.status_code == 200
    assert "00000BG0000000" in str(unknown.context["form"].errors["bg_numbers"])


@pytest.mark.django_db
def test_caseworkers_cannot_use_the_scan_station(caseworker_client):
    assert caseworker_client.get(reverse("backoffice:scan")).status_code == 403
    assert caseworker_client.get(reverse("backoffice:scan-separators")).status_code == 403


@pytest.mark.django_db
def test_watched_folder_imports_and_moves_files(tmp_path, settings):
    household = HouseholdFactory()
    settings.SCAN_IMPORT_DIR = str(tmp_path)
    path = tmp_path / "scanner-0001.pdf"
    path.write_bytes(build_scan([sep(household.bg_number, "kuendigung"), pages(2)]))
    fresh = tmp_path / "scanner-0002.pdf"
    fresh.write_bytes(build_scan([pages(1)]))
    old = time.time() - 120
    os.utime(path, (old, old))
    assert services.import_watched_folder() == 1
    assert not path.exists() and (tmp_path / "imported" / "scanner-0001.pdf").exists()
    assert fresh.exists()  # still being written: left for the next run
    document = Document.objects.get()
    assert (document.household, document.doc_type) == (household, "kuendigung")
    assert ScanBatch.objects.get().source == ScanBatch.Source.FOLDER


@pytest.mark.django_db
def test_scanned_document_answers_an_open_request_item_for_staff_to_check(tmp_path):
    household = HouseholdFactory()
    doc_request = DocumentRequestFactory(household=household)
    item = DocumentRequestItemFactory(request=doc_request, doc_type="mietvertrag")
    data = build_scan([sep(household.bg_number, "mietvertrag"), pages(1)])
    batch = services.create_batch(stream=io.BytesIO(data), name="post.pdf")
    services.process_batch(batch)
    item.refresh_from_db()
    doc_request.refresh_from_db()
    assert item.document.channel == Document.Channel.SCAN
    assert item.state == item.State.RECEIVED  # offered as the answer: staff accept it, nothing silent
    assert doc_request.completed_at is None


@pytest.mark.django_db
def test_separator_is_found_on_a_skewed_noisy_scan(tmp_path):
    """Like paper through a scanner: rasterised at 150 dpi, 3° skew, speckles, JPEG, upside down."""
    import random
    import subprocess

    import img2pdf
    from PIL import Image

    (tmp_path / "sheet.pdf").write_bytes(services.separator_sheets_pdf([("12345BG0000042", "ausweis")], "de"))
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(tmp_path / "sheet.pdf"),
            str(tmp_path / "sheet"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "sheet.png").rotate(183, expand=True, fillcolor=255)
    pixels = image.load()
    rng = random.Random(7)
    for _ in range(4000):
        pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.choice((0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=60, dpi=(150, 150))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(img2pdf.convert(buffer.getvalue()))
    assert list(separator.scan_pages(scan, 1)) == [(1, separator.Separator("12345BG0000042", "ausweis"))]
