"""Titles stored in the citizen's language (before titles were canonical) back to German.

Default titles were once written in the language the uploader read the portal in ("Bank statement
(Kontoauszug)", Arabic or Tigrinya titles in the E-Akte). A title that is exactly a type's name, an
online service's evidence title, or a scanned segment's title in another language is rewritten to its
German form; titles people typed themselves are left alone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from jcportal.documents import types
from jcportal.documents.models import Document

from . import engine, registry

CANONICAL = types.CANONICAL_LANGUAGE


def _foreign_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != CANONICAL]


def replacements() -> tuple[dict[tuple[str, str], str], dict[str, list[tuple[str, str]]]]:
    """(exact: (doc_type, foreign title) → German title, prefixes: doc_type → [(foreign prefix, German)])."""
    exact: dict[tuple[str, str], str] = {}
    prefixes: dict[str, list[tuple[str, str]]] = {}
    evidence = [
        (definition, spec)
        for definition in registry.all_definitions()
        for step in definition.steps
        for spec in step.fields
        if spec.kind == engine.FILE
    ]
    for code in types.BY_CODE:
        german = types.canonical_label(code)
        for language in _foreign_languages():
            with translation.override(language):
                foreign = str(types.label(code))
            if foreign != german:
                exact[(code, foreign)] = german
                prefixes.setdefault(code, []).append((foreign + " (", german + " ("))
    for definition, spec in evidence:
        code = spec.doc_type or "sonstiges"
        with translation.override(CANONICAL):
            german = f"{spec.label} – {definition.short_title}"[:200]
        for language in _foreign_languages():
            with translation.override(language):
                foreign = f"{spec.label} – {definition.short_title}"[:200]
            if foreign != german:
                exact[(code, foreign)] = german
    return exact, prefixes


def canonical_title(document: Any, exact: dict, prefixes: dict) -> str | None:
    """The German title for ``document``, or None when its title is already canonical or typed by hand."""
    found = exact.get((document.doc_type, document.title))
    if found is not None:
        return found
    for foreign, german in prefixes.get(document.doc_type, ()):
        if document.title.startswith(foreign):
            return (german + document.title[len(foreign) :])[:200]
    return None


def canonicalise_titles(*, dry_run: bool = False, batch: int = 2000) -> int:
    """Rewrite foreign default titles to German; returns how many documents were (or would be) changed."""
    exact, prefixes = replacements()
    changed = 0
    pending: list[Document] = []
    queryset = Document.objects.filter(direction=Document.Direction.INBOUND).only("pk", "doc_type", "title")
    for document in queryset.iterator(chunk_size=batch):
        title = canonical_title(document, exact, prefixes)
        if title is None:
            continue
        changed += 1
        document.title = title
        pending.append(document)
        if len(pending) >= batch and not dry_run:
            _save(pending)
            pending = []
    if pending and not dry_run:
        _save(pending)
    return changed


def _save(documents: list[Document]) -> None:
    with transaction.atomic():
        Document.objects.bulk_update(documents, ["title"])
