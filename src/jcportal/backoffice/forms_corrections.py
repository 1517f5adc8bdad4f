"""Forms of the document corrections (type and title, move, split, merge, rotate, deletion)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.documents import types
from jcportal.documents.models import DeletionRequest


class RetypeForm(GovForm):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=types.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the name of the type."),
    )


class MoveSearchForm(GovForm):
    q = forms.CharField(label=_("BG number or surname"), max_length=100, required=False)


class MoveForm(GovForm):
    household = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note for the history (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SplitForm(GovForm):
    pages = forms.CharField(
        label=_("Pages for the new document"),
        max_length=100,
        help_text=_("For example 3-5 or 2, 4."),
    )
    doc_type = forms.ChoiceField(label=_("Type of the new document"), choices=types.choices)
    title = forms.CharField(
        label=_("Title of the new document"),
        max_length=200,
        required=False,
        help_text=_("Empty: the name of the type."),
    )


class MergeForm(GovForm):
    other = forms.ChoiceField(label=_("Document to append"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, candidates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [
            (
                str(d.pk),
                f"{d.title} · {d.receipt_number} · {d.received_at:%d.%m.%Y} · {d.page_count}",
            )
            for d in candidates
        ]


ROTATION_CHOICES = [
    ("0", _("Do not turn")),
    ("90", _("90° clockwise")),
    ("180", _("180°")),
    ("270", _("90° anticlockwise")),
]


class RotateForm(GovForm):
    all_pages = forms.ChoiceField(label=_("All pages"), choices=ROTATION_CHOICES, required=False)

    def __init__(self, *args: Any, page_count: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_count = page_count
        for number in range(1, page_count + 1):
            self.fields[f"page_{number}"] = forms.ChoiceField(
                label=_("Page %(number)s") % {"number": number}, choices=ROTATION_CHOICES, required=False
            )

    def angles(self) -> dict[int, int]:
        every = int(self.cleaned_data.get("all_pages") or 0)
        result = {}
        for number in range(1, self.page_count + 1):
            angle = int(self.cleaned_data.get(f"page_{number}") or 0) or every
            if angle:
                result[number] = angle
        return result


class DeletionRequestForm(GovForm):
    reason = forms.ChoiceField(
        label=_("Why should the document be deleted?"),
        choices=DeletionRequest.Reason.choices,
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("Explanation for the colleague who approves"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(GovForm):
    note = forms.CharField(
        label=_("Why refused (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
