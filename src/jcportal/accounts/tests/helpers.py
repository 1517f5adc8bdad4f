"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import io
import re

import pypdf

CODE_RE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")
USER_RE = re.compile(r"\b(jc\d{8})\b")
STRONG_PASSWORD = "Sonnenblume-Kaffeetasse-77"


def letter_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF"), "not a PDF"
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def credentials_from_letter(pdf: bytes) -> tuple[str, str]:
    text = letter_text(pdf)
    user = USER_RE.search(text)
    code = CODE_RE.search(text)
    assert user and code, text
    return user.group(1), code.group(1)


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)
