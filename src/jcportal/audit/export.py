"""A household's access log for a data-subject access request (Art. 15 DSGVO): PDF and CSV.

The same entries as the citizen's transparency view (what, when, by which role and office; never
staff names), all of them, in the language asked for (the citizen's own by default). Every export is
itself audited (``audit.access_log_exported``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jcportal.core.pdf import render_pdf

from .selectors import transparency_entries
from .services import audit

FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def language_of(household: Any) -> str:
    """The language of the household's citizen account (the head first), else the default."""
    from jcportal.accounts.models import Role, User

    accounts = User.objects.filter(person__household=household, role=Role.CITIZEN).order_by(
        "-person__is_head", "pk"
    )
    codes = {code for code, _name in settings.LANGUAGES}
    for language in accounts.values_list("preferred_language", flat=True):
        if language in codes:
            return str(language)
    return str(settings.LANGUAGE_CODE)


def _csv(entries: list[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("When"), _("What"), _("Who"), _("as representative")])
    for entry in entries:
        writer.writerow(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.what,
                entry.who,
                _("yes") if entry.on_behalf else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8


def export_access_log(
    household: Any, fmt: str, *, actor: Any, viewer: Any = None, language: str | None = None
) -> tuple[str, str, bytes]:
    """``(file name, content type, bytes)`` of the household's access log in ``fmt`` (pdf or csv)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    language = language or language_of(household)
    with translation.override(language):
        entries = transparency_entries(household, viewer, limit=None)
        if fmt == "csv":
            data = _csv(entries)
        else:
            data = render_pdf(
                "audit/access_log_pdf.html",
                {
                    "entries": entries,
                    "household": household,
                    "created": timezone.now(),
                    "site": settings.SITE_NAME,
                },
                language=language,
            )
    audit(
        "audit.access_log_exported",
        actor=actor,
        household=household,
        details={"format": fmt, "language": language, "entries": len(entries)},
    )
    name = f"zugriffsprotokoll-{household.bg_number}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    return name, FORMATS[fmt], data
