#!/usr/bin/env python
"""Hand the open entries of a catalogue to a translator as JSON, and merge the answers back.

    .venv/bin/python scripts/translations.py export ar --out /tmp/ar        # writes batch-001.json …
    .venv/bin/python scripts/translations.py import ar /tmp/ar/answer-*.json

An export batch is a list of {"key", "msgid", "msgid_plural"?, "context"?, "previous"?}; an answer file
is an object {key: "translation"} or, for plurals, {key: ["form 0", "form 1", …]} with as many forms as
the locale's Plural-Forms says. Keys are hashes of context + msgid, so answers stay valid when
``make messages`` re-extracts in between. Importing clears the fuzzy flag; placeholders are checked.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "jcportal" / "locale"
LOCALES = {
    "de": "de",
    "de-ls": "de_LS",
    "de_LS": "de_LS",
    "ar": "ar",
    "ti": "ti",
    "tr": "tr",
    "en": "en",
    "fa": "fa",
}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdifr]|\{[A-Za-z_]\w*\}")


def key_of(entry: polib.POEntry) -> str:
    raw = f"{entry.msgctxt or ''}\x04{entry.msgid}\x04{entry.msgid_plural or ''}"
    return hashlib.sha1(raw.encode()).hexdigest()[:12]  # noqa: S324 - an identifier, not security


def po_file(locale: str) -> tuple[Path, polib.POFile]:
    path = LOCALE_DIR / LOCALES[locale] / "LC_MESSAGES" / "django.po"
    return path, polib.pofile(str(path), wrapwidth=110)


def is_open(entry: polib.POEntry) -> bool:
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not all(entry.msgstr_plural.values())
    return not entry.msgstr


def export(locale: str, out: Path, size: int) -> None:
    _, po = po_file(locale)
    items = []
    for entry in po:
        if not is_open(entry):
            continue
        item = {"key": key_of(entry), "msgid": entry.msgid}
        if entry.msgid_plural:
            item["msgid_plural"] = entry.msgid_plural
        if entry.msgctxt:
            item["context"] = entry.msgctxt
        if "fuzzy" in entry.flags and (entry.msgstr or entry.msgstr_plural):
            item["previous"] = entry.msgstr or list(entry.msgstr_plural.values())
        items.append(item)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("batch-*.json"):
        old.unlink()
    for number, start in enumerate(range(0, len(items), size), 1):
        (out / f"batch-{number:03d}.json").write_text(
            json.dumps(items[start : start + size], ensure_ascii=False, indent=1)
        )
    print(f"{locale}: {len(items)} open entries in {(len(items) + size - 1) // size} batch(es) under {out}")


def merge(locale: str, answers: list[Path]) -> int:
    path, po = po_file(locale)
    nplurals = int(po.metadata.get("Plural-Forms", "nplurals=2;").split(";")[0].split("=")[1])
    by_key = {key_of(entry): entry for entry in po if not entry.obsolete}
    merged, problems = 0, []
    for answer in answers:
        data = json.loads(answer.read_text())
        for key, value in data.items():
            entry = by_key.get(key)
            if entry is None:
                continue  # the source string changed meanwhile; it will be exported again
            expected = sorted(PLACEHOLDER.findall(entry.msgid))
            forms = value if isinstance(value, list) else [value]
            if entry.msgid_plural:
                if len(forms) != nplurals:
                    problems.append(f"{key}: {len(forms)} plural forms, need {nplurals}")
                    continue
            elif len(forms) != 1:
                problems.append(f"{key}: a list given for a singular entry")
                continue
            if any(not f or not isinstance(f, str) for f in forms):
                problems.append(f"{key}: empty translation")
                continue
            bad = [f for f in forms if sorted(set(PLACEHOLDER.findall(f))) != sorted(set(expected))]
            if bad and not entry.msgid_plural:
                problems.append(f"{key}: placeholders {expected} differ in {bad[0]!r}")
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = forms[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            merged += 1
    po.save(str(path))
    for problem in problems:
        print(f"{locale}: skipped {problem}", file=sys.stderr)
    open_left = sum(1 for entry in po if is_open(entry))
    print(f"{locale}: merged {merged}, {len(problems)} skipped, {open_left} still open")
    return open_left


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export")
    ex.add_argument("locale", choices=sorted(LOCALES))
    ex.add_argument("--out", type=Path, required=True)
    ex.add_argument("--size", type=int, default=300)
    im = sub.add_parser("import")
    im.add_argument("locale", choices=sorted(LOCALES))
    im.add_argument("answers", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "export":
        export(args.locale, args.out, args.size)
    else:
        merge(args.locale, args.answers)


if __name__ == "__main__":
    main()
