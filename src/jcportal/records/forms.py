"""Forms of the records pages in the back office."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm

from .models import LegalHold


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class HoldForm(GovForm):
    bg_number = forms.CharField(
        label=_("BG number"),
        required=False,
        max_length=20,
        help_text=_("The household whose whole case file is held, or leave empty and name a document."),
    )
    receipt_number = forms.CharField(label=_("receipt number"), required=False, max_length=32)
    reason = forms.ChoiceField(label=_("reason"), choices=LegalHold.Reason.choices)
    note = forms.CharField(
        label=_("explanation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    review_on = forms.DateField(label=_("review on"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("bg_number")) == bool(data.get("receipt_number")):
            raise forms.ValidationError(
                _("Name either a household (BG number) or a document (receipt number).")
            )
        return data


class ExcludeForm(GovForm):
    reason = forms.CharField(label=_("why taken out"), max_length=500)


class MessageForm(GovForm):
    message = forms.FileField(label=_("xdomea message of the state archive (XML)"))


class BenefitsEndedForm(GovForm):
    bg_number = forms.CharField(label=_("BG number"), max_length=20)
    ended_on = forms.DateField(
        label=_("benefits ended on"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day benefits were paid. Empty: the household receives benefits again."),
    )
