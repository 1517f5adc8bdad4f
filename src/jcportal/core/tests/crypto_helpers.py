"""Shared by the encryption-at-rest and backup tests: isolated keys, a realistic upload, raw bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from jcportal.core import storage

SECRET_WORD = "Zauberwortquittung"
IBAN = "DE89370400440532013000"
SIGNATURES = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG")


def text_pdf(word: str = SECRET_WORD) -> bytes:
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    page = document.pages[0]
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = document.make_stream(f"BT /F1 14 Tf 72 700 Td (Mietvertrag {word}) Tj ET".encode())
    buffer = io.BytesIO()
    document.save(buffer, compress_streams=False)
    return buffer.getvalue()


def upload_through_portal(client, capture, *files: tuple[str, bytes], note: str = "") -> None:  # type: ignore[no-untyped-def]
    payload = {"doc_type": "mietvertrag", "title": "", "note": note, "complete": "1"}
    payload["files"] = [SimpleUploadedFile(name, data) for name, data in files]
    with capture(execute=True):
        response = client.post(reverse("portal:upload"), payload)
    assert response.status_code == 302, response.content[:300]


def raw_objects() -> dict[str, bytes]:
    found = {}
    for name in storage.iter_names():
        with storage.open_raw(name) as handle:
            found[name] = handle.read()
    return found


def raw_database(without_search_index: bool = True) -> bytes:
    """The stored bytes of every table: the SQLite file itself (the search index dropped from a copy,
    as documented), or on PostgreSQL every row as the server stores it (a dump)."""
    if connection.vendor == "sqlite":
        import sqlite3
        import tempfile

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        source = Path(connection.settings_dict["NAME"])
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "copy.sqlite3"
            copy.write_bytes(source.read_bytes())
            if without_search_index:
                database = sqlite3.connect(copy)
                database.execute("DROP TABLE IF EXISTS casework_document_fts")
                database.execute("DROP TABLE IF EXISTS casework_search_key")
                database.commit()
                database.execute("VACUUM")
                database.close()
            return copy.read_bytes()
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if without_search_index and table == "casework_search_entry":
                continue
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            parts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(parts).encode()
