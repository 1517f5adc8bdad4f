"""The xdomea export: a valid 0401 message (official XSD) with every file it names, in a zip."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from lxml import etree

from jcportal.core import xdomea as schemas
from jcportal.exporters import xdomea
from jcportal.exporters.models import ExportJob

pytestmark = pytest.mark.django_db
NS = {"x": schemas.NAMESPACE}


def read_zip(data: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    [message_name] = [n for n in members if n.endswith("_Abgabe.Abgabe.0401.xml")]
    xml = members.pop(message_name)
    assert schemas.errors(xml) == []
    return etree.fromstring(xml), members


def test_household_e_akte_as_valid_xdomea_0401(deliver, household):
    first = deliver(title="Kontoauszug März")
    second = deliver(doc_type="mietvertrag", title="Mietvertrag")

    name, handle = xdomea.household_zip(household)
    root, files = read_zip(handle.read())

    assert name.endswith("_Abgabe.Abgabe.0401.zip")
    akte = root.find("x:Schriftgutobjekt/x:Akte", NS)
    assert akte.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS) == household.bg_number
    vorgaenge = akte.findall("x:Akteninhalt/x:Vorgang", NS)
    assert sorted(v.findtext("x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS) for v in vorgaenge) == [
        "kontoauszug",
        "mietvertrag",
    ]
    documents = akte.findall(".//x:Dokument", NS)
    assert {d.findtext("x:Identifikation/x:ID", namespaces=NS) for d in documents} == {
        str(first.pk),
        str(second.pk),
    }
    # every named file is in the zip, the PDF byte-identical to the delivered one
    named = [e.text for e in root.iterfind(".//x:Primaerdokument/x:Dateiname", NS)]
    assert sorted(named) == sorted(files)
    for document in (first, second):
        pdf = files[f"{document.pk}_document.pdf"]
        assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256
        originals = {o.sha256 for o in document.originals.all()}
        element = next(
            d for d in documents if d.findtext("x:Identifikation/x:ID", namespaces=NS) == str(document.pk)
        )
        attached = [a.findtext(".//x:Dateiname", namespaces=NS) for a in element.findall("x:Anlage", NS)]
        assert {hashlib.sha256(files[n]).hexdigest() for n in attached} == originals


def test_xdomea_exporter_writes_one_message_per_document_once(configure, deliver, export_root):
    config = configure("xdomea", folder="xdomea")
    document = deliver()

    [written] = list((export_root / "xdomea").iterdir())
    root, files = read_zip(written.read_bytes())
    assert (
        root.findtext(".//x:Dokument/x:AllgemeineMetadaten/x:Kennzeichen", namespaces=NS)
        == document.receipt_number
    )
    assert ExportJob.objects.get(config=config).status == ExportJob.Status.DONE
    document.refresh_from_db()
    assert document.exported_to == f"xdomea:{config.name}"
    mtime = written.stat().st_mtime_ns
    assert xdomea.export_document(document, export_root / "xdomea") == written
    assert written.stat().st_mtime_ns == mtime
