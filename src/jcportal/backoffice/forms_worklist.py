"""Forms of the work lists: bulk actions, notes, Aktenvermerke, Wiedervorlagen, saved filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jcportal.accounts.models import User
from jcportal.core.forms import GovForm
from jcportal.households.models import Team
from jcportal.inbox.selectors import colleagues

from .forms_cases import DateInput, StaffChoiceField


class BulkForm(GovForm):
    """The bulk actions of the inbox (the action bar's checkboxes name the items) and of the page that
    assigns, forwards or tags the selected items."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("done", "more", "assign", "forward", "tag")], required=False
    )
    take = forms.IntegerField(required=False, min_value=1)
    to_user = StaffChoiceField(label=_("Colleague"), queryset=User.objects.none(), required=False)
    to_team = forms.ModelChoiceField(label=_("or a team"), queryset=Team.objects.none(), required=False)
    mode = forms.ChoiceField(
        label=_("Forward as"),
        choices=[("move", _("move (my item is closed)")), ("copy", _("copy (my item stays)"))],
        required=False,
        initial="move",
        widget=forms.RadioSelect,
    )
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues(user).exclude(pk=user.pk)
        self.fields["to_team"].queryset = Team.objects.select_related("service_office").order_by(
            "service_office__name", "name"
        )


class NoteForm(GovForm):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff see it; it is shown in the history."),
    )


class FileNoteForm(GovForm):
    text = forms.CharField(
        label=_("New Aktenvermerk"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Internal: citizens do not see it."),
    )


def _future(value: dt.date) -> dt.date:
    if value < timezone.localdate():
        raise ValidationError(_("Choose today or a later date."))
    return value


class FollowUpForm(GovForm):
    due_on = forms.DateField(label=_("Wiedervorlage on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    assignee = StaffChoiceField(
        label=_("For"), queryset=User.objects.none(), required=False, empty_label=_("Me")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues(user).exclude(pk=user.pk)
        self.initial.setdefault("due_on", timezone.localdate() + dt.timedelta(days=7))

    def clean_due_on(self) -> dt.date:
        return _future(self.cleaned_data["due_on"])


class PostponeForm(GovForm):
    due_on = forms.DateField(label=_("New date"), widget=DateInput())

    def clean_due_on(self) -> dt.date:
        value = self.cleaned_data["due_on"]
        if value <= timezone.localdate():
            raise ValidationError(_("Choose a date after today."))
        return value


class SaveFilterForm(GovForm):
    name = forms.CharField(label=_("Name of this filter"), max_length=80)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput())
