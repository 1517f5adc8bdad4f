from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.documents import types

ITEM_ROWS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DocumentRequestForm(GovForm):
    explanation = forms.CharField(
        label=_("Explanation for the citizen"),
        help_text=_("Why you need the documents. The citizen sees this text in the portal."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        help_text=_("The last day on which the documents should arrive."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=14)
        self.fields["explanation"].initial = _(
            "To decide on your benefits we need the documents listed below "
            "(your duty to cooperate, §§ 60 ff. SGB I). Please send them by the deadline."
        )
        type_choices = [("", _("Choose a document type"))] + list(types.choices())
        for number in range(1, ITEM_ROWS + 1):
            self.fields[f"item_{number}_type"] = forms.ChoiceField(
                label=_("Document type"), choices=type_choices, required=number == 1
            )
            self.fields[f"item_{number}_explanation"] = forms.CharField(
                label=_("What exactly is needed"),
                help_text=_("For example: statements of all accounts for March to May."),
                required=False,
                max_length=500,
            )
            self.fields[f"item_{number}_optional"] = forms.BooleanField(
                label=_("Only if available (optional)"), required=False
            )

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": number,
                "type": self[f"item_{number}_type"],
                "explanation": self[f"item_{number}_explanation"],
                "optional": self[f"item_{number}_optional"],
            }
            for number in range(1, ITEM_ROWS + 1)
        ]

    def clean_deadline(self) -> dt.date:
        deadline: dt.date = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError(_("The deadline must be in the future."))
        if deadline > timezone.localdate() + dt.timedelta(days=365):
            raise forms.ValidationError(_("The deadline must be within one year."))
        return deadline

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for number in range(2, ITEM_ROWS + 1):
            if cleaned.get(f"item_{number}_explanation") and not cleaned.get(f"item_{number}_type"):
                self.add_error(f"item_{number}_type", _("Choose the document type for this explanation."))
        return cleaned

    def items(self) -> list[dict[str, Any]]:
        rows = []
        for number in range(1, ITEM_ROWS + 1):
            doc_type = self.cleaned_data.get(f"item_{number}_type")
            if doc_type:
                rows.append(
                    {
                        "doc_type": doc_type,
                        "explanation": self.cleaned_data.get(f"item_{number}_explanation", ""),
                        "optional": self.cleaned_data.get(f"item_{number}_optional", False),
                    }
                )
        return rows


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ItemUploadForm(GovForm):
    """The citizen's upload against one requested document (phone camera or file)."""

    upload = MultipleFileField(
        label=_("Photo or file"),
        help_text=_(
            "Take a photo with your phone or choose PDF or image files. You can choose several pages."
        ),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    note = forms.CharField(
        label=_("Note to your caseworker"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_upload(self) -> list[Any]:
        files = self.cleaned_data.get("upload") or []
        if not files:
            raise forms.ValidationError(_("Select a photo or a file."))
        if len(files) > settings.UPLOAD_MAX_FILES:
            raise forms.ValidationError(
                _("Select at most %(count)d files at once.") % {"count": settings.UPLOAD_MAX_FILES}
            )
        for upload in files:
            if upload.size == 0:
                raise forms.ValidationError(
                    _("The file %(name)s is empty. Please choose it again or take a new photo.")
                    % {"name": upload.name}
                )
            if upload.size > settings.UPLOAD_MAX_FILE_BYTES:
                raise forms.ValidationError(
                    _("The file %(name)s is larger than %(size)d MB.")
                    % {"name": upload.name, "size": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)}
                )
        return files


class HouseholdLookupForm(GovForm):
    bg_number = forms.CharField(
        label=_("BG number"),
        help_text=_("The number of the household (Bedarfsgemeinschaft), for example 12345BG0000001."),
        max_length=20,
    )


class RejectAnswerForm(GovForm):
    """Staff reject an answer: the reason is shown to the citizen (in German, marked as such)."""

    reason = forms.CharField(
        label=_("Reason for the citizen"),
        help_text=_("The citizen sees this text. Say what is missing or wrong and what to send instead."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the rejection: the citizen sees it."))
        return reason


class ExtendDeadlineForm(GovForm):
    deadline = forms.DateField(
        label=_("New deadline"),
        help_text=_("The citizen sees the new deadline in the portal; a new reminder is sent before it."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, current: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        if current is not None:
            self.fields["deadline"].initial = max(current, timezone.localdate()) + dt.timedelta(days=14)

    def clean_deadline(self) -> dt.date:
        deadline: dt.date = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate() or (self.current is not None and deadline <= self.current):
            raise forms.ValidationError(
                _("The new deadline must be later than the current one and in the future.")
            )
        if deadline > timezone.localdate() + dt.timedelta(days=365):
            raise forms.ValidationError(_("The deadline must be within one year."))
        return deadline
