"""Forms of the citizen's document upload and the survey after sending."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.documents import types


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item is not None]

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data


def doc_type_choices() -> list[tuple[str, str]]:
    """Each type with its explanation as a hint inside the label (rendered per request language)."""
    return [
        (
            t.code,
            format_html('{} <span class="hint doc-type__hint">{}</span>', t.label, t.explanation),
        )
        for t in types.TYPES
        if t.citizen_selectable
    ]


def requested_item_label(item: Any) -> str:
    """ "Requested by 17.12.2026: Bank statement" with the caseworker's own words, marked as German."""
    label = _("Requested by %(date)s: %(type)s") % {
        "date": item.request.deadline.strftime("%d.%m.%Y"),  # as everywhere in the portal
        "type": types.label(item.doc_type),
    }
    if item.explanation:
        return format_html(
            '{} <span class="hint doc-type__hint" lang="de" dir="ltr">{}</span>', label, item.explanation
        )
    return format_html(
        '{} <span class="hint doc-type__hint">{}</span>', label, types.get(item.doc_type).explanation
    )


class UploadForm(GovForm):
    doc_type = forms.ChoiceField(
        label=_("What kind of document is it?"), widget=forms.RadioSelect, choices=doc_type_choices
    )
    title = forms.CharField(
        label=_("Title of the document"),
        required=False,
        max_length=200,
        help_text=_("Required for “Other document”, for example “Letter from my landlord”."),
    )
    note = forms.CharField(
        label=_("Note to your caseworker"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Take photos of the pages"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": "image/*,application/pdf",
                "capture": "environment",
                "data-upload-input": "camera",
            }
        ),
        help_text=_("Opens the camera on a phone. Take one photo per page, in order."),
    )
    more_files = MultipleFileField(
        label=_("Or choose photos or PDF files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "data-upload-input": "files"}),
        help_text=_("Photos (JPEG, PNG, HEIC, WebP, TIFF) or PDF files."),
    )
    # Written by upload.js: the photos the citizen agreed to send smaller (see downscaled_notices).
    downscaled = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20000)
    # Sent after all files (it is the last field of the form): if it is missing, the upload broke off.
    complete = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)

    def __init__(
        self,
        *args: Any,
        too_large_files: list[str] | None = None,
        requested_items: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.too_large_files = list(too_large_files or [])  # skipped while receiving (see uploadhandlers)
        self.refused: list[dict[str, Any]] = []
        self.accepted: list[UploadedFile] = []
        # What the Jobcenter is waiting for comes first, the earliest deadline preselected.
        self.requested_items = {f"item-{item.pk}": item for item in requested_items or []}
        if self.requested_items:
            field = self.fields["doc_type"]
            field.choices = [
                (value, requested_item_label(item)) for value, item in self.requested_items.items()
            ] + list(doc_type_choices())
            field.label = _("What are you sending?")
            if not self.is_bound:
                self.initial.setdefault("doc_type", next(iter(self.requested_items)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item = self.requested_items.get(data.get("doc_type") or "")
        data["request_item"] = item
        if item is not None:
            data["doc_type"] = item.doc_type
        if data.get("doc_type") == "sonstiges" and not (data.get("title") or "").strip():
            self.add_error(
                "title", _("Enter a title for the document, for example “Letter from my landlord”.")
            )
        files = list(data.get("files") or []) + list(data.get("more_files") or [])
        if not files and not self.too_large_files:
            self.add_error("files", _("Choose at least one photo or file."))
            return data
        if len(files) + len(self.too_large_files) > settings.UPLOAD_MAX_FILES:
            self.add_error(
                "more_files",
                _("You chose %(count)s files. Send at most %(max)s files per document.")
                % {"count": len(files) + len(self.too_large_files), "max": settings.UPLOAD_MAX_FILES},
            )
            return data
        for name in self.too_large_files:
            self.refused.append({"name": name, "position": None, "code": "too_large", "accepted": False})
        for position, upload in enumerate(files):
            code = ""
            if upload.size == 0:
                code = "empty_file"
            elif upload.size > settings.UPLOAD_MAX_FILE_BYTES:
                code = "too_large"
            if code:
                self.refused.append(
                    {"name": upload.name, "position": position, "code": code, "accepted": False}
                )
            else:
                self.accepted.append(upload)
        if not self.accepted:
            from jcportal.documents import problems

            for refused in self.refused:
                self.add_error(
                    "files",
                    _("%(name)s: %(problem)s %(advice)s")
                    % {
                        "name": refused["name"],
                        "problem": problems.get(refused["code"]).message,
                        "advice": problems.get(refused["code"]).what_to_do,
                    },
                )
        return data


def downscaled_notices(raw: str, names: list[str]) -> list[dict[str, Any]]:
    """File notices ``downscaled_in_browser`` for the photos that upload.js made smaller because the
    citizen chose "Send smaller": one per sent file (``names``, in order) that the browser's record names,
    with the sizes before and after. A record that does not parse or names no sent file adds nothing."""
    import json

    try:
        entries = json.loads(raw or "[]")
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    by_name = {str(e.get("name")): e for e in entries[: settings.UPLOAD_MAX_FILES] if isinstance(e, dict)}
    notices = []
    for position, name in enumerate(names):
        entry = by_name.pop(name, None)
        if entry is None:
            continue
        figures = {}
        for key in ("original_size", "size", "original_width", "original_height", "width", "height"):
            try:
                figures[key] = max(0, int(entry.get(key) or 0))
            except (TypeError, ValueError):
                figures[key] = 0
        notices.append(
            {
                "name": name,
                "position": position,
                "code": "downscaled_in_browser",
                "accepted": True,
                "original_name": str(entry.get("original_name") or "")[:200],
                **figures,
            }
        )
    return notices


STAR_CHOICES = [
    (1, _("1 star: very poor")),
    (2, _("2 stars: poor")),
    (3, _("3 stars: okay")),
    (4, _("4 stars: good")),
    (5, _("5 stars: very good")),
]


class RatingForm(GovForm):
    stars = forms.TypedChoiceField(
        label=_("How easy was it to send your document?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "stars__input"}),
    )
    comment = forms.CharField(
        label=_("What could we do better?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not enter personal data here."),
    )
