"""A household's E-Akte (or a selection of its documents) as an xdomea 3.0.0 message in a zip.

The message is ``Abgabe.Abgabe.0401`` (see docs/integration/exporters.md for the choice): one
``Akte`` for the Bedarfsgemeinschaft (Kennzeichen: the BG number), one ``Vorgang`` per online-service
Vorgang (Kennzeichen: the Vorgangsnummer) and per document type for everything else, and one
``Dokument`` per document: the delivered PDF/A-2b as Primärdokument, each original as an ``Anlage``.
The zip holds ``<ProzessID>_Abgabe.Abgabe.0401.xml`` and every file named ``<uuid>_<name>`` as xdomea
requires; the XML is validated against the official schemas (``core.xdomea``) before it is written.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lxml import etree

from jcportal.core import xdomea as schemas
from jcportal.documents.models import Document
from jcportal.events import catalogue

from . import metadata
from .base import Exporter, Nothing, register, target_folder

NS = schemas.NAMESPACE
MESSAGE = "Abgabe.Abgabe.0401"
NAMESPACE_UUID = uuid.UUID("6f1c5a0e-3b9d-4d2a-9a43-0c6f7e1d2b54")  # ids of Akten/Vorgänge/Anlagen
# Dateiformat code of PDF/A as in the official example messages (urn:xoev-de:xdomea:codeliste:dateiformat)
PDFA_FORMAT_CODE = "044"
OTHER_FORMAT_CODE = "001"
FORMAT_LIST_VERSION = "1.0"


def _el(parent: etree._Element, name: str, text: Any = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _code(parent: etree._Element, name: str, code: str, **attrs: str) -> etree._Element:
    element = _el(parent, name, **attrs)
    etree.SubElement(element, "code").text = code
    return element


def _contact(parent: etree._Element, name: str, institution: str, unit: str = "") -> None:
    contact = _el(parent, name)
    inst = _el(contact, "Institution")
    _el(inst, "Name", institution[:200] or "-")
    if unit:
        _el(_el(contact, "Organisationseinheit"), "Name", unit[:200])


def _person(parent: etree._Element, name: str, person: Any) -> None:
    contact = _el(parent, name)
    who = _el(contact, "Name")
    _el(_el(who, "Familienname"), "Name", person.last_name)
    _el(_el(who, "Vorname"), "Name", person.first_name)
    if person.date_of_birth:
        _el(_el(contact, "Geburt"), "Datum", person.date_of_birth.isoformat())


def _metadata(parent: etree._Element, subject: str, mark: str) -> None:
    general = _el(parent, "AllgemeineMetadaten")
    _el(general, "Betreff", subject[:500])
    _el(general, "Kennzeichen", mark)


def _format(parent: etree._Element, code: str, version: str, filename: str, original: str, when: Any) -> None:
    fmt = _el(parent, "Format")
    _code(
        fmt,
        "Name",
        code,
        listURI="urn:xoev-de:xdomea:codeliste:dateiformat",
        listVersionID=FORMAT_LIST_VERSION,
    )
    if code == OTHER_FORMAT_CODE:
        _el(fmt, "SonstigerName", original.rsplit(".", 1)[-1].lower() if "." in original else "bin")
    _el(fmt, "Version", version)
    primary = _el(fmt, "Primaerdokument")
    _el(primary, "Dateiname", filename)
    if original:
        _el(primary, "DateinameOriginal", original)
    _el(primary, "DatumUhrzeit", when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))


def _groups(documents: list[Document]) -> list[tuple[str, str, str, list[Document]]]:
    """(id seed, Betreff, Kennzeichen, documents) per Vorgang: online-service Vorgänge, then types."""
    groups: dict[str, tuple[str, str, list[Document]]] = {}
    for document in documents:
        submission = metadata.submission_of(document)
        if submission is not None and submission.reference:
            key = f"vorgang:{submission.reference}"
            title = f"{submission.definition.short_title} {submission.reference}"
            groups.setdefault(key, (title, submission.reference, []))[2].append(document)
        else:
            key = f"type:{document.doc_type}"
            groups.setdefault(key, (str(document.type_label), document.doc_type, []))[2].append(document)
    ordered = sorted(groups.items(), key=lambda kv: (not kv[0].startswith("vorgang:"), kv[0]))
    return [(key, title, mark, docs) for key, (title, mark, docs) in ordered]


def build(
    household: Any, documents: Iterable[Document], *, process_id: uuid.UUID | None = None, recipient: str = ""
) -> tuple[str, bytes, list[tuple[str, metadata.ExportFile]]]:
    """The message (file name, XML bytes) and the files it names ``(zip name, file)``."""
    documents = [d for d in documents if d.pdf and d.delivered_at]
    if not documents:
        raise Nothing("no delivered document to export")
    process_id = process_id or uuid.uuid4()
    now = timezone.now()
    office = household.service_office
    jobcenter = office.jobcenter.name if office is not None else settings.SITE_NAME
    root = etree.Element(f"{{{NS}}}{MESSAGE}", nsmap={"xdomea": NS})
    head = _el(root, "Kopf")
    _el(head, "ProzessID", process_id)
    _code(head, "Nachrichtentyp", "0401")
    _el(head, "Erstellungszeitpunkt", now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    _contact(head, "Absender", jobcenter, office.name if office is not None else "")
    _contact(head, "Empfaenger", recipient or jobcenter, "DMS")
    system = _el(head, "SendendesSystem")
    _el(system, "Produktname", "jcportal")
    _el(head, "Importbestaetigung", "1")
    _el(head, "Empfangsbestaetigung", "1")

    files: list[tuple[str, metadata.ExportFile]] = []
    record = _el(_el(root, "Schriftgutobjekt"), "Akte")
    _el(_el(record, "Identifikation"), "ID", uuid.uuid5(NAMESPACE_UUID, f"akte:{household.bg_number}"))
    _metadata(record, f"E-Akte {household.bg_number}", household.bg_number)
    _el(record, "Typ", "Bedarfsgemeinschaft")
    content = _el(record, "Akteninhalt")
    for key, title, mark, docs in _groups(documents):
        case = _el(content, "Vorgang")
        _el(_el(case, "Identifikation"), "ID", uuid.uuid5(NAMESPACE_UUID, f"{household.bg_number}:{key}"))
        _metadata(case, title, mark)
        for document in docs:
            files.extend(_document(case, document))
    xml = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    schemas.validate(xml)
    return f"{process_id}_{MESSAGE}.xml", xml, files


def _document(parent: etree._Element, document: Document) -> list[tuple[str, metadata.ExportFile]]:
    items = metadata.files_of(document)
    submission = metadata.submission_of(document)
    member = metadata.member_of(document, submission)
    element = _el(parent, "Dokument")
    _el(_el(element, "Identifikation"), "ID", document.pk)
    _metadata(element, document.title, document.receipt_number)
    received = timezone.localtime(document.received_at).date().isoformat()
    if document.direction == Document.Direction.INBOUND:
        _el(element, "Posteingangsdatum", received)
    else:
        _el(element, "Postausgangsdatum", received)
    _el(element, "Typ", str(document.type_label))
    pdf, originals = items[0], items[1:]
    pdf_name = f"{document.pk}_document.pdf"
    version = _el(element, "Version")
    _el(version, "Nummer", "1")
    _format(
        version, PDFA_FORMAT_CODE, "2b", pdf_name, f"{document.receipt_number}.pdf", document.delivered_at
    )
    named = [(pdf_name, pdf)]
    for position, original in enumerate(originals, start=1):
        attachment = _el(element, "Anlage")
        attachment_id = uuid.uuid5(NAMESPACE_UUID, f"{document.pk}:original:{position}")
        _el(_el(attachment, "Identifikation"), "ID", attachment_id)
        _metadata(attachment, original.original_name, f"{document.receipt_number}/{position}")
        name = f"{attachment_id}_{metadata.safe_name(original.original_name)}"
        att_version = _el(attachment, "Version")
        _el(att_version, "Nummer", "1")
        _format(att_version, OTHER_FORMAT_CODE, "1", name, original.original_name, document.received_at)
        _el(attachment, "Nummer", str(position))
        named.append((name, original))
    if member is not None and document.direction == Document.Direction.INBOUND:
        _person(element, "Absender", member)
    return named


def write_zip(household: Any, documents: Iterable[Document], out: IO[bytes], **kwargs: Any) -> str:
    """Write the zip into ``out``; returns the zip's file name."""
    name, xml, files = build(household, documents, **kwargs)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, xml, compress_type=zipfile.ZIP_DEFLATED)
        for arcname, item in files:
            with archive.open(
                zipfile.ZipInfo(arcname, date_time=_zip_time(item)), "w", force_zip64=True
            ) as member:
                metadata.stream_into(item, member)
    return name.removesuffix(".xml") + ".zip"


def _zip_time(item: metadata.ExportFile) -> tuple[int, int, int, int, int, int]:
    now = timezone.localtime()
    return (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second)


def household_zip(household: Any, documents: Iterable[Document] | None = None) -> tuple[str, IO[bytes]]:
    """The E-Akte (all delivered documents, or ``documents``) as a zip in a temporary file (rewound)."""
    if documents is None:
        documents = (
            Document.objects.filter(household=household, delivered_at__isnull=False)
            .exclude(status=Document.Status.QUARANTINED)
            .order_by("received_at")
            .prefetch_related("originals")
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, closed by it
    name = write_zip(household, documents, handle)
    handle.seek(0)
    return name, handle


def export_document(document: Document, folder: Path, recipient: str = "") -> Path:
    """One document as its own message in ``folder`` (idempotent: same ProzessID, same file)."""
    process_id = uuid.uuid5(NAMESPACE_UUID, f"document:{document.pk}")
    final = folder / f"{process_id}_{MESSAGE}.zip"
    if final.exists():
        return final
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=folder)
    try:
        with open(fd, "wb") as handle:
            write_zip(document.household, [document], handle, process_id=process_id, recipient=recipient)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    finally:
        if Path(temporary).exists():
            Path(temporary).unlink()
    return final


@register
class XdomeaExporter(Exporter):
    identifier = "xdomea"
    label = _("xdomea 3.0.0 (Abgabe 0401)")
    description = _("Each document as an xdomea message in a zip in a folder the DMS imports from.")
    kind = "document"
    default_event_types = (catalogue.DOCUMENT_DELIVERED.type,)

    def export(self, config: Any, obj: Any, event_type: str = "") -> str:
        folder = target_folder(config.options.get("folder", ""))
        return str(export_document(obj, folder))
