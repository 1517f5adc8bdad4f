"""Hot folder for DMS importers that watch a folder (OTS, regisafe, enaio, d.velop …).

One folder per document, named by its Eingangsnummer::

    <folder>/<Eingangsnummer>/document.pdf            the delivered PDF (PDF/A-2b)
    <folder>/<Eingangsnummer>/originals/001-….jpg     the originals, byte-identical
    <folder>/<Eingangsnummer>/metadata.json           the sidecar (format jcportal.hotfolder/1)
    <folder>/<Eingangsnummer>/metadata.xml            the same sidecar as XML (urn:jcportal:hotfolder:1)
    <folder>/<Eingangsnummer>.done                    written last: the folder is complete

Everything is written into a hidden ``.tmp-…`` folder, synced, and renamed to its final name in one
step; the ``.done`` marker follows. A re-export of a completed folder changes nothing; a folder without
its marker (a crash between the rename and the marker) is written again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lxml import etree

from jcportal.documents.models import Document
from jcportal.events import catalogue

from . import metadata
from .base import Exporter, publish, register, staging_folder, target_folder, write_atomically, write_file

FORMAT = "jcportal.hotfolder/1"
XML_NAMESPACE = "urn:jcportal:hotfolder:1"
MARKER = ".done"


def sidecar(document: Document, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "document": metadata.document_metadata(document),
        "pdf": {"file": "document.pdf", "conformance": "PDF/A-2b"},
        "files": files,
    }


def sidecar_xml(data: dict[str, Any]) -> bytes:
    """The JSON sidecar as XML: one element per key (lists as repeated ``file`` elements)."""

    def add(parent: etree._Element, key: str, value: Any) -> None:
        element = etree.SubElement(parent, f"{{{XML_NAMESPACE}}}{key}")
        if isinstance(value, dict):
            for k, v in value.items():
                add(element, k, v)
        elif isinstance(value, list):
            for item in value:
                add(element, "file", item)
        elif value is None:
            element.set("{http://www.w3.org/2001/XMLSchema-instance}nil", "true")
        else:
            element.text = str(value).lower() if isinstance(value, bool) else str(value)

    root = etree.Element(f"{{{XML_NAMESPACE}}}export", nsmap={None: XML_NAMESPACE})
    for key, value in data.items():
        add(root, key, value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def export_document(document: Document, folder: Path) -> Path:
    """Write the document's folder below ``folder``; idempotent. Returns the final folder."""
    name = metadata.safe_name(document.receipt_number)
    final = folder / name
    marker = folder / f"{name}{MARKER}"
    if final.is_dir() and marker.exists():
        return final
    items = metadata.files_of(document)
    with staging_folder(folder, name) as staging:
        listed = []
        for item in items:
            checksum, size = metadata.copy_verified(item, staging / item.name)
            entry: dict[str, Any] = {"name": item.name, "role": item.role, "sha256": checksum, "size": size}
            if item.media_type:
                entry["media_type"] = item.media_type
            if item.original_name:
                entry["original_name"] = item.original_name
            listed.append(entry)
        data = sidecar(document, listed)
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        write_file(staging / "metadata.json", body)
        write_file(staging / "metadata.xml", sidecar_xml(data))
        publish(staging, final)
    write_atomically(marker, hashlib.sha256(body).hexdigest().encode() + b"\n")
    return final


@register
class HotFolderExporter(Exporter):
    identifier = "hotfolder"
    label = _("Hot folder (DMS import folder)")
    description = _("One folder per document with the PDF/A, the originals and a metadata sidecar.")
    kind = "document"
    default_event_types = (catalogue.DOCUMENT_DELIVERED.type,)

    def export(self, config: Any, obj: Any, event_type: str = "") -> str:
        folder = target_folder(config.options.get("folder", ""))
        return str(export_document(obj, folder))
