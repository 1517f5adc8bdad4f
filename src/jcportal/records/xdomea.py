"""The xdomea 3.0.0 messages of the archive offer (Aussonderung): we write 0501 (Anbieteverzeichnis) and
0503 (Aussonderung, files in a zip beside it) and read 0502 (Bewertungsverzeichnis) and 0504 (the
archive's receipt). Every message written is validated against the official XSD (``core.xdomea``).

What an offer says about a record: its id (``ProposalItem.xdomea_id``, never the BG number), the
retention class as subject, the file plan mark and the period it covers; the archive decides from
that. A handover (0503) carries the documents themselves."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone
from lxml import etree

from jcportal.core import xdomea

NS = xdomea.NAMESPACE
CODE_NS = "http://xoev.de/schemata/code/1_0"
NSMAP = {"xdomea": NS}
SYSTEM_NAME = "jcportal"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


def _code(
    parent: etree._Element, tag: str, code: str, list_uri: str = "", version: str = ""
) -> etree._Element:
    element = _sub(parent, tag)
    if list_uri:
        element.set("listURI", list_uri)
    if version:
        element.set("listVersionID", version)
    etree.SubElement(element, "code").text = code
    return element


@dataclass(frozen=True)
class Party:
    name: str
    code: str


@dataclass(frozen=True)
class OfferedRecord:
    xdomea_id: uuid.UUID
    subject: str
    file_plan_mark: str
    begin: dt.date
    end: dt.date
    proposal: str = "A"  # Bewertungsvorschlag: A (archive), V (destroy), B (evaluate)


@dataclass(frozen=True)
class HandedOverDocument:
    xdomea_id: uuid.UUID
    file_name: str  # "<xdomea id>_<name>.pdf": the schema wants the id first
    received: dt.date


@dataclass(frozen=True)
class HandedOverRecord:
    xdomea_id: uuid.UUID
    subject: str
    file_plan_mark: str
    begin: dt.date
    end: dt.date
    documents: list[HandedOverDocument]


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, tag)
    authority = _sub(element, "Behoerdenkennung")
    key = _sub(authority, "Behoerdenschluessel")
    etree.SubElement(key, "code").text = party.code or "-"
    etree.SubElement(key, "name").text = party.name
    institution = _sub(element, "Institution")
    _sub(institution, "Name", party.name)


def _root(message: str, number: str, process_id: uuid.UUID, sender: Party, receiver: Party) -> etree._Element:
    root = etree.Element(_q(f"Aussonderung.{message}.{number}"), nsmap=NSMAP)
    head = _sub(root, "Kopf")
    _sub(head, "ProzessID", str(process_id))
    _code(head, "Nachrichtentyp", number, "urn:xoev-de:xdomea:codeliste:nachrichtentyp", "2.0")
    _sub(head, "Erstellungszeitpunkt", timezone.localtime().replace(microsecond=0, tzinfo=None).isoformat())
    _party(head, "Absender", sender)
    _party(head, "Empfaenger", receiver)
    system = _sub(head, "SendendesSystem")
    _sub(system, "Produktname", SYSTEM_NAME)
    if number == "0503":
        _sub(head, "Importbestaetigung", "1")
        _sub(head, "RueckmeldungArchivkennung", "1")
    _sub(head, "Empfangsbestaetigung", "1")
    return root


def _record_head(akte: etree._Element, record: OfferedRecord | HandedOverRecord) -> None:
    identification = _sub(akte, "Identifikation")
    _sub(identification, "ID", str(record.xdomea_id))
    general = _sub(akte, "AllgemeineMetadaten")
    _sub(general, "Betreff", record.subject)
    if record.file_plan_mark:
        _sub(general, "Kennzeichen", record.file_plan_mark)


def _laufzeit(akte: etree._Element, begin: dt.date, end: dt.date) -> None:
    period = _sub(akte, "Laufzeit")
    _sub(period, "Beginn", begin.isoformat())
    _sub(period, "Ende", end.isoformat())


def _serialise(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    xdomea.validate(data)
    return data


def offer_0501(process_id: uuid.UUID, sender: Party, receiver: Party, records: list[OfferedRecord]) -> bytes:
    root = _root("Anbieteverzeichnis", "0501", process_id, sender, receiver)
    for record in records:
        item = _sub(root, "Schriftgutobjekt")
        akte = _sub(item, "Akte")
        _record_head(akte, record)
        archival = _sub(akte, "ArchivspezifischeMetadaten")
        _code(
            archival,
            "Bewertungsvorschlag",
            record.proposal,
            "urn:xoev-de:xdomea:codeliste:bewertungsvorschlag",
            "1.0",
        )
        _laufzeit(akte, record.begin, record.end)
    return _serialise(root)


def handover_0503(
    process_id: uuid.UUID, sender: Party, receiver: Party, records: list[HandedOverRecord]
) -> bytes:
    root = _root("Aussonderung", "0503", process_id, sender, receiver)
    for record in records:
        item = _sub(root, "Schriftgutobjekt")
        akte = _sub(item, "Akte")
        _record_head(akte, record)
        _laufzeit(akte, record.begin, record.end)
        if record.documents:
            content = _sub(akte, "Akteninhalt")
            for document in record.documents:
                element = _sub(content, "Dokument")
                identification = _sub(element, "Identifikation")
                _sub(identification, "ID", str(document.xdomea_id))
                _sub(element, "Posteingangsdatum", document.received.isoformat())
                version = _sub(element, "Version")
                _sub(version, "Nummer", "1")
                file_format = _sub(version, "Format")
                # 044: PDF/A (xdomea code list "dateiformat")
                _code(file_format, "Name", "044", "urn:xoev-de:xdomea:codeliste:dateiformat", "1.0")
                _sub(file_format, "Version", "2b")
                primary = _sub(file_format, "Primaerdokument")
                _sub(primary, "Dateiname", document.file_name)
    return _serialise(root)


class UnreadableMessage(ValueError):
    pass


def _parse(data: bytes, number: str, process_id: uuid.UUID) -> etree._Element:
    try:
        problems = xdomea.errors(data)
    except etree.XMLSyntaxError as error:
        raise UnreadableMessage(f"not XML: {error}") from error
    if problems:
        raise UnreadableMessage("; ".join(problems[:3]))
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    # the message is named by its root element (the published examples carry wrong Nachrichtentyp codes)
    kind = etree.QName(root).localname
    if not kind.endswith(f".{number}"):
        raise UnreadableMessage(f"expected message {number}, got {kind}")
    found = root.findtext(f"{_q('Kopf')}/{_q('ProzessID')}")
    if found != str(process_id):
        raise UnreadableMessage(f"the message belongs to process {found}, not to {process_id}")
    return root


def read_0502(data: bytes, process_id: uuid.UUID) -> dict[str, str]:
    """The archive's decision per offered record id: ``A`` (archive) or ``V`` (destroy)."""
    root = _parse(data, "0502", process_id)
    decisions: dict[str, str] = {}
    for element in root.iter(_q("BewertetesObjekt")):
        record_id = element.findtext(_q("ID")) or ""
        code = element.findtext(f"{_q('Aussonderungsart')}/{_q('Aussonderungsart')}/code") or ""
        decisions[record_id.strip()] = code.strip()
    return decisions


def read_0504(data: bytes, process_id: uuid.UUID) -> None:
    _parse(data, "0504", process_id)
