from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.docrequests.forms import MultipleFileField, MultipleFileInput
from jcportal.documents import types
from jcportal.households.models import Household, normalise_bg_number

MAX_SHEETS = 200


def _type_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose a document type"))] + list(types.choices())


class SeparatorForm(GovForm):
    bg_numbers = forms.CharField(
        label=_("BG numbers"),
        help_text=_(
            "One BG number per line; you get one separator sheet for each. Leave empty for a sheet "
            "without household (the household is then chosen in the batch view)."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "autocapitalize": "characters"}),
    )
    doc_type = forms.ChoiceField(label=_("Document type"), choices=_type_choices)
    copies = forms.IntegerField(
        label=_("Copies of each sheet"), min_value=1, max_value=20, initial=1, widget=forms.NumberInput()
    )

    def clean_bg_numbers(self) -> list[Household | None]:
        numbers = [normalise_bg_number(line) for line in self.cleaned_data["bg_numbers"].splitlines()]
        numbers = [number for number in numbers if number]
        if not numbers:
            return [None]
        found = {h.bg_number: h for h in Household.objects.filter(bg_number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No household has the BG number %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        return [found[n] for n in numbers]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        households = cleaned.get("bg_numbers") or []
        if cleaned.get("copies") and len(households) * cleaned["copies"] > MAX_SHEETS:
            raise forms.ValidationError(
                _("Print at most %(count)d separator sheets at once.") % {"count": MAX_SHEETS}
            )
        return cleaned

    def entries(self) -> list[tuple[str, str]]:
        doc_type = self.cleaned_data["doc_type"]
        return [
            (h.bg_number if h is not None else "", doc_type)
            for h in self.cleaned_data["bg_numbers"]
            for _copy in range(self.cleaned_data["copies"])
        ]


class BatchUploadForm(GovForm):
    scans = MultipleFileField(
        label=_("Scanned PDF files"),
        help_text=_(
            "One or more PDF files from the scanner. Put a separator sheet in front of each document; "
            "pages without a separator sheet are assigned by hand afterwards."
        ),
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_scans(self) -> list[Any]:
        files = self.cleaned_data.get("scans") or []
        if not files:
            raise forms.ValidationError(_("Select at least one PDF file."))
        for upload in files:
            if upload.size == 0:
                raise forms.ValidationError(_("The file %(name)s is empty.") % {"name": upload.name})
            upload.seek(0)
            head = upload.read(1024)
            upload.seek(0)
            if b"%PDF-" not in head:
                raise forms.ValidationError(_("The file %(name)s is not a PDF file.") % {"name": upload.name})
        return files


class SegmentAssignForm(GovForm):
    bg_number = forms.CharField(
        label=_("BG number"),
        help_text=_("Use the household search above if you do not know the number."),
        max_length=20,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    doc_type = forms.ChoiceField(label=_("Document type"), choices=_type_choices)

    def clean_bg_number(self) -> Household:
        number = normalise_bg_number(self.cleaned_data["bg_number"])
        household = Household.objects.filter(bg_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household has this BG number."))
        return household


class HouseholdSearchForm(GovForm):
    q = forms.CharField(
        label=_("Search household"),
        help_text=_("BG number or surname (at least 3 characters)."),
        min_length=3,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
