"""File names as citizens' devices send them: shown to staff and used in downloads, never trusted.

A file name is only a label (storage keys are our own, see ``models.original_path``), but it is shown in
the back office, in receipts and in ``Content-Disposition``. ``display_name`` keeps what a person
recognises and removes what could mislead or break something:
- path components (``../../etc/passwd``, ``C:\\Users\\…``) – only the last part stays;
- control characters and Unicode bidirectional overrides/isolates (``invoice\u202egpj.exe`` would show as
  ``invoiceexe.jpg``), zero-width characters and other invisible format characters;
- leading dots and spaces (hidden files), trailing dots and spaces (Windows);
- more than ``MAX_LENGTH`` characters: shortened in the middle of the stem, the extension kept.
It is idempotent, never empty (``FALLBACK``) and NFC-normalised.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 120
FALLBACK = "file"
_SEPARATORS = re.compile(r"[/\\]")


def _visible(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc control, Cf format (bidi overrides, zero-width joiners, BOM), Cs surrogates, Co private use,
    # Cn unassigned, Zl/Zp line and paragraph separators.
    return category not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def display_name(name: str | None, max_length: int = MAX_LENGTH) -> str:
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _SEPARATORS.split(text)[-1]
    text = "".join(char if _visible(char) else "" for char in text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text) > max_length:
        stem, dot, extension = text.rpartition(".")
        if not dot or not stem or len(extension) > 10:
            stem, extension = text, ""
        keep = max_length - (len(extension) + 1 if extension else 0) - 1
        head = max(1, keep // 2 + keep % 2)
        tail = max(0, keep - head)
        stem = f"{stem[:head]}…{stem[len(stem) - tail :] if tail else ''}"
        text = f"{stem}.{extension}" if extension else stem
        text = text.strip(" .")
    return text or FALLBACK
