"""Catalogue tooling: the seven locales, their plural rules, extraction, and the completeness check.

Used by ``manage.py update_catalogues`` (``make messages``), by ``scripts/fill-en-catalogue.py`` and by
``core/tests/test_catalogues.py``. Message ids are English; ``en`` is filled with msgstr = msgid.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
from django.conf import settings

SOURCE_DIR = Path(settings.BASE_DIR)  # src/jcportal
LOCALE_DIR = SOURCE_DIR / "locale"
DOMAIN = "django"

# language code (settings.LANGUAGES) -> Django locale directory name
LOCALES = {
    "de": "de",
    "de-ls": "de_LS",
    "ar": "ar",
    "ti": "ti",
    "tr": "tr",
    "en": "en",
    "fa": "fa",
}
# BCP 47 tags for markup (``lang``, ``hreflang``): "de-ls" would read as German of Lesotho, so Leichte
# Sprache is a private-use subtag there. The code in URLs, cookies and ``LANGUAGES`` stays "de-ls".
LANGUAGE_TAGS = {"de-ls": "de-x-ls"}


def language_tag(code: str) -> str:
    return LANGUAGE_TAGS.get(code, code)


# CLDR/gettext plural rules; Arabic has six forms, the others two.
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "de_LS": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n > 1);",
    "fa": "nplurals=2; plural=(n > 1);",
    "ti": "nplurals=2; plural=(n > 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5;",
}
# Folders makemessages does not read: tests carry no user-visible strings, static files none (no JS strings;
# texts for scripts come from data attributes rendered by templates), the catalogues themselves.
IGNORE = ["tests", "testing", "static", "locale", "__pycache__", "migrations"]

PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdifr]|\{[A-Za-z_]\w*\}")


def po_path(locale: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(source_dir: Path, locales: list[str]) -> None:
    """Run makemessages over ``source_dir`` into ``source_dir/locale`` (only there)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    (source_dir / "locale").mkdir(exist_ok=True)
    previous = os.getcwd()
    os.chdir(source_dir)
    try:
        with override_settings(LOCALE_PATHS=[source_dir / "locale"]):
            call_command(
                "makemessages",
                locale=locales,
                domain=DOMAIN,
                ignore_patterns=IGNORE,
                no_obsolete=True,
                no_location=True,
                verbosity=0,
            )
    finally:
        os.chdir(previous)


def copy_sources(target: Path) -> Path:
    """A copy of the translatable sources (for extracting into a scratch folder)."""
    destination = target / "jcportal"
    shutil.copytree(SOURCE_DIR, destination, ignore=shutil.ignore_patterns(*IGNORE, "*.pyc", "*.mo", "*.po"))
    return destination


def fix_header(po: polib.POFile, locale: str) -> None:
    """Right language, plural rule and charset; never a fuzzy header (msgfmt would drop it)."""
    po.metadata["Language"] = locale
    po.metadata["Plural-Forms"] = PLURAL_FORMS[locale]
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Content-Transfer-Encoding"] = "8bit"
    po.metadata_is_fuzzy = False
    po.header = (
        "jcportal user interface. Message ids are English; see docs/developers/i18n-and-accessibility.md."
    )
    nplurals = int(PLURAL_FORMS[locale].split(";")[0].split("=")[1])
    for entry in po:
        if entry.msgid_plural:
            for index in range(nplurals):
                entry.msgstr_plural.setdefault(index, "")
            for index in [
                i for i in entry.msgstr_plural if int(i) >= nplurals and not entry.msgstr_plural[i]
            ]:
                del entry.msgstr_plural[index]


def fill_english(po: polib.POFile) -> int:
    """msgstr = msgid for every entry of the English catalogue; returns how many entries changed."""
    changed = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            wanted = {0: entry.msgid, 1: entry.msgid_plural}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                changed += 1
        elif entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            changed += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            changed += 1
    return changed


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def _positional(counter: Counter[str]) -> Counter[str]:
    return Counter({k: v for k, v in counter.items() if not k.startswith(("%(", "{"))})


def problems(po: polib.POFile, locale: str) -> list[str]:
    """Everything that makes a catalogue incomplete or unsafe; empty for a good catalogue."""
    found: list[str] = []
    if po.metadata_is_fuzzy:
        found.append(f"{locale}: the header is fuzzy")
    if po.metadata.get("Plural-Forms") != PLURAL_FORMS[locale]:
        found.append(
            f"{locale}: Plural-Forms is {po.metadata.get('Plural-Forms')!r}, not {PLURAL_FORMS[locale]!r}"
        )
    if "charset=UTF-8" not in po.metadata.get("Content-Type", ""):
        found.append(f"{locale}: charset is not UTF-8")
    nplurals = int(PLURAL_FORMS[locale].split(";")[0].split("=")[1])
    for entry in po:
        if entry.obsolete:
            continue
        label = f"{locale}: {entry.msgid[:70]!r}"
        if "fuzzy" in entry.flags:
            found.append(f"{label} is fuzzy")
            continue
        source = placeholders(entry.msgid) + placeholders(entry.msgid_plural or "")
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            if len(entry.msgstr_plural) != nplurals or not all(f.strip() for f in forms):
                found.append(f"{label} lacks plural forms (needs {nplurals})")
                continue
            plural_source = placeholders(entry.msgid_plural)
            for form in forms:
                # A form may leave out the number ("one file"), but never add or change a placeholder,
                # and positional placeholders (%d) must stay (Python would fail to format otherwise).
                got = placeholders(form)
                if set(got) - set(source) or _positional(got) != _positional(plural_source):
                    found.append(f"{label}: placeholders {sorted(got)} differ from {sorted(plural_source)}")
                    break
        else:
            if not entry.msgstr.strip():
                found.append(f"{label} is not translated")
                continue
            if placeholders(entry.msgstr) != placeholders(entry.msgid):
                found.append(
                    f"{label}: placeholders {sorted(placeholders(entry.msgstr).elements())} "
                    f"differ from {sorted(placeholders(entry.msgid).elements())}"
                )
    return found


def entry_keys(po: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete}
