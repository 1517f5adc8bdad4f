"""The hot folder, read back by a test "DMS" the way an importer watching the folder would."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lxml import etree

from jcportal.audit.models import AuditEvent
from jcportal.documents.models import Document
from jcportal.documents.pdfa import declares_pdfa_2b
from jcportal.events.models import Event
from jcportal.exporters import hotfolder, services
from jcportal.exporters.models import ExportJob

pytestmark = pytest.mark.django_db


def dms_import(folder: Path) -> list[dict]:
    """What a DMS importer does: take every folder whose ``.done`` marker exists, check it, read it."""
    imported = []
    for marker in sorted(folder.glob("*.done")):
        document_folder = folder / marker.name.removesuffix(".done")
        assert document_folder.is_dir(), f"marker without folder: {marker}"
        sidecar = json.loads((document_folder / "metadata.json").read_text())
        xml = etree.parse(str(document_folder / "metadata.xml")).getroot()
        ns = {"h": hotfolder.XML_NAMESPACE}
        assert (
            xml.findtext("h:document/h:receipt_number", namespaces=ns)
            == sidecar["document"]["receipt_number"]
        )
        assert xml.findtext("h:document/h:bg_number", namespaces=ns) == sidecar["document"]["bg_number"]
        for entry in sidecar["files"]:
            data = (document_folder / entry["name"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
            assert len(data) == entry["size"]
        listed = {entry["name"] for entry in sidecar["files"]} | {"metadata.json", "metadata.xml"}
        present = {str(p.relative_to(document_folder)) for p in document_folder.rglob("*") if p.is_file()}
        assert present == listed, "files in the folder that the sidecar does not list (or the reverse)"
        pdf = (document_folder / sidecar["pdf"]["file"]).read_bytes()
        assert declares_pdfa_2b(pdf)
        imported.append(sidecar)
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")], "temporary files left behind"
    return imported


def test_delivered_upload_lands_in_the_hot_folder_and_the_dms_reads_it_back(
    configure, deliver, citizen, export_root
):
    config = configure("hotfolder")
    document = deliver()

    assert document.status == Document.Status.DELIVERED
    imported = dms_import(export_root / "dms/in")
    assert len(imported) == 1
    sidecar = imported[0]
    meta = sidecar["document"]
    assert sidecar["format"] == "jcportal.hotfolder/1"
    assert meta["receipt_number"] == document.receipt_number
    assert meta["bg_number"] == document.household.bg_number
    assert meta["member"] == {
        "first_name": citizen.person.first_name,
        "last_name": citizen.person.last_name,
        "date_of_birth": citizen.person.date_of_birth.isoformat(),
    }
    assert meta["document_type"] == "kontoauszug" and meta["title"] == "Kontoauszug"
    assert meta["received_at"] == document.received_at.isoformat()
    assert meta["vorgangsnummer"] is None
    roles = [(f["role"], f.get("original_name")) for f in sidecar["files"]]
    assert roles == [("pdf", None), ("original", "seite1.jpg"), ("original", "seite2.png")]
    pdf_entry = sidecar["files"][0]
    assert pdf_entry["sha256"] == document.pdf_sha256
    originals = {o.original_name: o.sha256 for o in document.originals.all()}
    assert {f["original_name"]: f["sha256"] for f in sidecar["files"][1:]} == originals

    # the hand-off is recorded: sent to the DMS (not yet filed), one audit entry, one event
    document.refresh_from_db()
    assert document.exported_at is not None and document.filed_at is None
    assert document.exported_to == f"hotfolder:{config.name}"
    job = ExportJob.objects.get(config=config)
    assert job.status == ExportJob.Status.DONE and job.attempts == 1
    assert Event.objects.filter(type="de.jcportal.document.exported", subject=str(document.pk)).count() == 1


def test_re_export_is_idempotent(configure, deliver, export_root, django_capture_on_commit_callbacks):
    config = configure("hotfolder")
    document = deliver()
    folder = export_root / "dms/in" / document.receipt_number
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    job = ExportJob.objects.get(config=config)

    # the same job again, the export function again, and a fresh job for the same document
    assert services.run_job(job.pk) is None
    assert hotfolder.export_document(document, export_root / "dms/in") == folder
    again = ExportJob.objects.create(
        config=config, event=None, event_type=job.event_type, subject=job.subject
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_job(again.pk).status == ExportJob.Status.DONE

    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert AuditEvent.objects.filter(action="document.exported", object_id=str(document.pk)).count() == 1
    assert len(dms_import(export_root / "dms/in")) == 1


def test_a_folder_without_its_marker_is_written_again(configure, deliver, export_root):
    configure("hotfolder")
    document = deliver()
    target = export_root / "dms/in"
    (target / f"{document.receipt_number}.done").unlink()
    (target / document.receipt_number / "document.pdf").write_bytes(b"half written")

    hotfolder.export_document(document, target)

    assert len(dms_import(target)) == 1


def test_an_unreachable_folder_is_retried_until_it_works(configure, deliver, export_root, settings):
    export_root.parent.mkdir(parents=True, exist_ok=True)
    export_root.write_text("not a folder")  # the DMS share is not mounted
    config = configure("hotfolder")
    document = deliver()

    job = ExportJob.objects.get(config=config)
    assert job.status == ExportJob.Status.PENDING and job.attempts == 1 and job.last_error
    document.refresh_from_db()
    assert document.exported_at is None

    export_root.unlink()
    job = services.run_job(job.pk)
    assert job.status == ExportJob.Status.DONE and job.attempts == 2
    assert len(dms_import(export_root / "dms/in")) == 1


def test_other_jobcenters_and_inactive_configurations_export_nothing(configure, deliver, export_root):
    from jcportal.households.tests.factories import JobcenterFactory

    configure("hotfolder", folder="a", active=False)
    other = configure("hotfolder", folder="b")
    other.jobcenter = JobcenterFactory()
    other.save()
    deliver()

    assert not ExportJob.objects.exists()
    assert not (export_root / "a").exists() and not (export_root / "b").exists()


def test_an_online_service_document_carries_its_vorgangsnummer(
    deliver, household, citizen, export_root, tmp_path
):
    from django.utils import timezone

    from jcportal.core import xdomea as schemas
    from jcportal.eforms.models import Submission, SubmissionEvidence
    from jcportal.exporters import xdomea

    evidence = deliver(doc_type="au_bescheinigung", title="AU-Bescheinigung")
    submission = Submission.objects.create(
        form_slug="krankmeldung",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        household=household,
        created_by=citizen,
        reference="JC-2026-000123-7",
        submitted_at=timezone.now(),
    )
    SubmissionEvidence.objects.create(
        submission=submission, document=evidence, step="certificate", field="au"
    )
    target = tmp_path / "hot"
    target.mkdir()

    hotfolder.export_document(evidence, target)

    [sidecar] = dms_import(target)
    assert sidecar["document"]["vorgangsnummer"] == "JC-2026-000123-7"
    _name, xml, _files = xdomea.build(household, [evidence])
    root = etree.fromstring(xml)
    ns = {"x": schemas.NAMESPACE}
    assert (
        root.findtext(".//x:Vorgang/x:AllgemeineMetadaten/x:Kennzeichen", namespaces=ns) == "JC-2026-000123-7"
    )
