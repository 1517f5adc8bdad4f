from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm

from .actions import label_for

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class AuditFilterForm(GovForm):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, for example 17.05.2026.")},
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date, for example 17.05.2026.")},
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who (name or user ID)"), required=False, max_length=150)
    bg_number = forms.CharField(label=_("Household (BG number)"), required=False, max_length=20)

    def __init__(self, *args, actions: list[str] | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [
            (a, label_for(a)) for a in sorted(actions or [], key=lambda a: label_for(a).casefold())
        ]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error(
                "date_to", forms.ValidationError(_("The end date is before the start date."), code="order")
            )
        return data
