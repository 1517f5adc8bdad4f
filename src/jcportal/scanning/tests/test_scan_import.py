import io

import pikepdf
import pytest
from django.core.management import call_command

from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.scanning.models import ImportedFile, ScanBatch, ScanSegment

from .pdfs import build_scan, pages, sep


def original_pages(document: Document) -> int:
    total = 0
    for original in document.originals.all():
        with original.file.open("rb") as handle, pikepdf.open(io.BytesIO(handle.read())) as pdf:
            total += len(pdf.pages)
    return total


@pytest.fixture
def households(db):
    return [HouseholdFactory(bg_number=f"12345BG000010{n}") for n in range(1, 4)]


@pytest.mark.django_db
def test_import_of_a_200_page_pdf_with_separator_sheets(
    tmp_path, households, django_capture_on_commit_callbacks
):
    h1, h2, h3 = households
    layout = [
        pages(3),  # no separator in front: manual assignment
        sep(h1.bg_number, "mietvertrag"),
        pages(30),
        sep(h2.bg_number, "kontoauszug"),
        pages(60),  # longer than the intake limit of 50 pages: two documents
        sep(h1.bg_number, "lohnabrechnung"),
        pages(20),
        sep("99999BG9999999", "sonstiges"),  # unknown household: manual assignment
        pages(5),
        sep(h3.bg_number, "au_bescheinigung"),
        pages(40),
        sep(h2.bg_number, "nebenkosten"),
        pages(36),
    ]
    data = build_scan(layout)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "akte-0001.pdf").write_bytes(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 200

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_scans", str(folder), stdout=out)
    assert "[1/1] files, 200 pages" in out.getvalue()

    batch = ScanBatch.objects.get()
    assert batch.page_count == 200
    assert batch.status == ScanBatch.Status.NEEDS_ASSIGNMENT
    got = [
        (s.first_page, s.page_count, s.household.bg_number if s.household else None, s.doc_type or None)
        for s in batch.segments.order_by("position")
    ]
    assert got == [
        (1, 3, None, None),
        (5, 30, h1.bg_number, "mietvertrag"),
        (36, 50, h2.bg_number, "kontoauszug"),
        (86, 10, h2.bg_number, "kontoauszug"),
        (97, 20, h1.bg_number, "lohnabrechnung"),
        (118, 5, None, "sonstiges"),  # the type from the sheet is kept as a suggestion
        (124, 40, h3.bg_number, "au_bescheinigung"),
        (165, 36, h2.bg_number, "nebenkosten"),
    ]
    documents = Document.objects.filter(channel=Document.Channel.SCAN)
    by_case = sorted((d.household.bg_number, d.doc_type, original_pages(d)) for d in documents)
    assert by_case == sorted(
        [
            (h1.bg_number, "mietvertrag", 30),
            (h2.bg_number, "kontoauszug", 50),
            (h2.bg_number, "kontoauszug", 10),
            (h1.bg_number, "lohnabrechnung", 20),
            (h3.bg_number, "au_bescheinigung", 40),
            (h2.bg_number, "nebenkosten", 36),
        ]
    )
    # the same intake pipeline and routing as portal uploads ran for every document
    for document in documents:
        assert document.status == Document.Status.DELIVERED, (document.status, document.rejection_code)
        assert document.page_count == original_pages(document)
        assert document.inbox_items.exists()
    unknown = batch.segments.get(position=6)
    assert unknown.separator_note == "unknown_bg|99999BG9999999"


def _folder_with_three_files(tmp_path, households):
    h1, h2, h3 = households
    folder = tmp_path / "akten"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(
        build_scan([sep(h1.bg_number, "mietvertrag"), pages(2), sep(h2.bg_number, "kontoauszug"), pages(3)])
    )
    (folder / "b.pdf").write_bytes(
        build_scan(
            [
                sep(h2.bg_number, "lohnabrechnung"),
                pages(1),
                sep(h3.bg_number, "kuendigung"),
                pages(2),
                sep(h1.bg_number, "ausweis"),
                pages(1),
            ]
        )
    )
    (folder / "c.pdf").write_bytes(build_scan([sep(h3.bg_number, "rentenbescheid"), pages(4)]))
    return folder


@pytest.mark.django_db
def test_killed_import_resumes_and_never_imports_twice(tmp_path, households, monkeypatch):
    folder = _folder_with_three_files(tmp_path, households)
    from jcportal.documents import services as document_services

    real = document_services.accept_upload
    calls = {"n": 0}

    def dies_on_the_fourth_document(**kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # in the middle of b.pdf: as if the process was killed
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(document_services, "accept_upload", dies_on_the_fourth_document)
    with pytest.raises(KeyboardInterrupt):
        call_command("import_scans", str(folder), stdout=io.StringIO())
    assert Document.objects.count() == 3
    assert ImportedFile.objects.get(path=str(folder / "a.pdf")).status == ImportedFile.Status.DONE
    assert ImportedFile.objects.get(path=str(folder / "b.pdf")).status == ImportedFile.Status.RUNNING

    monkeypatch.setattr(document_services, "accept_upload", real)
    out = io.StringIO()
    call_command("import_scans", str(folder), stdout=out)
    assert "2 imported, 1 already imported" in out.getvalue()
    assert Document.objects.count() == 6
    assert ScanBatch.objects.count() == 3
    assert ScanSegment.objects.filter(document__isnull=True).count() == 0
    assert set(ImportedFile.objects.values_list("status", flat=True)) == {ImportedFile.Status.DONE}

    out = io.StringIO()
    call_command("import_scans", str(folder), stdout=out)
    assert "0 imported, 3 already imported" in out.getvalue()
    assert Document.objects.count() == 6
    assert ScanBatch.objects.count() == 3
    doc_types = sorted(Document.objects.values_list("household__bg_number", "doc_type"))
    h1, h2, h3 = households
    assert doc_types == sorted(
        [
            (h1.bg_number, "mietvertrag"),
            (h2.bg_number, "kontoauszug"),
            (h2.bg_number, "lohnabrechnung"),
            (h3.bg_number, "kuendigung"),
            (h1.bg_number, "ausweis"),
            (h3.bg_number, "rentenbescheid"),
        ]
    )


@pytest.mark.django_db
def test_same_content_under_another_path_is_a_duplicate(tmp_path, households):
    folder = _folder_with_three_files(tmp_path, households)
    (folder / "copy-of-c.pdf").write_bytes((folder / "c.pdf").read_bytes())
    out = io.StringIO()
    call_command("import_scans", str(folder), stdout=out)
    assert "3 imported" in out.getvalue() and "1 duplicate(s)" in out.getvalue()
    assert Document.objects.count() == 6


@pytest.mark.django_db
def test_manifest_assigns_pages_before_the_first_separator(tmp_path, households):
    h1, _h2, _h3 = households
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "akte.pdf").write_bytes(build_scan([pages(4)]))
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    manifest = folder / "manifest.csv"
    manifest.write_text(f"path,bg_number,doc_type\nakte.pdf,{h1.bg_number},post\nbad.pdf,,\nmissing.pdf,,\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_scans", str(manifest), stdout=out, stderr=err)
    document = Document.objects.get()
    assert (document.household, document.doc_type, original_pages(document)) == (h1, "post", 4)
    assert "1 failed" in out.getvalue() and "1 missing" in out.getvalue()
    assert "bad.pdf" in err.getvalue()


@pytest.mark.django_db
def test_shards_split_the_work_without_overlap(tmp_path, households):
    folder = _folder_with_three_files(tmp_path, households)
    first, second = io.StringIO(), io.StringIO()
    call_command("import_scans", str(folder), "--shard", "1/2", stdout=first)
    call_command("import_scans", str(folder), "--shard", "2/2", stdout=second)
    assert "2 imported" in first.getvalue() and "1 imported" in second.getvalue()
    assert ImportedFile.objects.filter(status=ImportedFile.Status.DONE).count() == 3
    assert Document.objects.count() == 6
