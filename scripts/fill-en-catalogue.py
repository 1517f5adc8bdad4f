#!/usr/bin/env python3
"""Fill the English catalogue: msgstr = msgid (our message ids are English), fuzzy flags removed.

Usage: .venv/bin/python scripts/fill-en-catalogue.py   (``make messages`` runs it through update_catalogues)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcportal.settings")

import django  # noqa: E402

django.setup()

import polib  # noqa: E402

from jcportal.core import i18n  # noqa: E402

path = i18n.po_path("en")
po = polib.pofile(str(path), wrapwidth=110)
i18n.fix_header(po, "en")
changed = i18n.fill_english(po)
po.save(str(path))
print(f"en: {changed} entries filled, {len(i18n.problems(po, 'en'))} problems left")
