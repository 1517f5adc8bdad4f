from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import GovForm


class AccessibilityFeedbackForm(GovForm):
    message = forms.CharField(
        label=_("Which barrier did you find?"),
        help_text=_("Describe what did not work for you, and with which device or assistive technology."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    page_address = forms.CharField(
        label=_("On which page?"),
        help_text=_("For example the address of the page or its heading."),
        required=False,
        max_length=500,
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("Only if you would like an answer."),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
