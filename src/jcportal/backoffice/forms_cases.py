"""Forms of the back office case work (inbox, case file, releases, absences, routing test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jcportal.accounts import policy
from jcportal.accounts.models import STAFF_ROLES, User
from jcportal.core.forms import GovForm
from jcportal.documents import types
from jcportal.households.models import Household, Team
from jcportal.inbox.models import RoutingRule
from jcportal.inbox.selectors import colleagues

MAX_RELEASE_BYTES = 20 * 1024 * 1024


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.team.name})" if obj.team_id else name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def doc_type_choices(empty_label: Any = None) -> list[tuple[str, Any]]:
    choices = list(types.choices())
    return [("", empty_label), *choices] if empty_label is not None else choices


class InboxFilterForm(GovForm):
    """The filter bar of the inbox (GET). Invalid values fall back to the defaults."""

    doc_type = forms.ChoiceField(label=_("Document type"), required=False)
    household = forms.CharField(label=_("BG number"), required=False, max_length=20)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DateInput())
    due_by = forms.DateField(label=_("Deadline by"), required=False, widget=DateInput())
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("received", _("Received, newest first")),
            ("received_asc", _("Received, oldest first")),
            ("deadline", _("Deadline, soonest first")),
            ("type", _("Document type")),
            ("household", _("BG number")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = doc_type_choices(_("All types"))


class ForwardForm(GovForm):
    to_user = StaffChoiceField(label=_("Colleague"), queryset=User.objects.none(), required=False)
    to_team = forms.ModelChoiceField(label=_("or a team"), queryset=Team.objects.all(), required=False)
    note = forms.CharField(
        label=_("Note for the recipient"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues(user).exclude(pk=user.pk)
        self.fields["to_team"].queryset = Team.objects.select_related("service_office").order_by(
            "service_office__name", "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("to_user")) == bool(data.get("to_team")):
            raise ValidationError(_("Choose either a colleague or a team."))
        return data


class AssignForm(GovForm):
    person = StaffChoiceField(label=_("New responsible staff member"), queryset=User.objects.none())
    function = forms.ChoiceField(
        label=_("Responsible as"),
        choices=[
            (RoutingRule.Function.BENEFITS, _("Caseworker (Leistungssachbearbeitung)")),
            (RoutingRule.Function.INTEGRATION, _("Integration specialist (Fallmanagement)")),
        ],
        widget=forms.RadioSelect,
        initial=RoutingRule.Function.BENEFITS,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = colleagues(user)


class AbsenceForm(GovForm):
    staff = StaffChoiceField(label=_("Absent staff member"), queryset=User.objects.none(), required=False)
    deputy = StaffChoiceField(label=_("Deputy"), queryset=User.objects.none())
    further_deputies = forms.ModelMultipleChoiceField(
        label=_("Further deputies"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: colleagues who deputise as well (hold Ctrl to choose several)."),
    )
    starts_on = forms.DateField(label=_("First day of absence"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day of absence"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES).select_related("team")
        staff = staff.order_by("last_name", "first_name", "username")
        managed = staff.filter(pk__in=policy.absence_staff(user).values("pk"))
        if managed.exclude(pk=user.pk).exists():  # administrators, and team leads for their team
            self.fields["staff"].queryset = managed
            self.fields["staff"].required = True
            self.fields["staff"].initial = user.pk
            self.fields["staff"].help_text = _(
                "Team leads record absences for their team, administrators for everybody."
            )
        else:
            del self.fields["staff"]
        self.fields["deputy"].queryset = colleagues(user)
        self.fields["further_deputies"].queryset = colleagues(user)
        self.fields["further_deputies"].label_from_instance = self.fields["deputy"].label_from_instance

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        staff = data.get("staff") or self.user
        if data.get("deputy") and data["deputy"].pk == staff.pk:
            self.add_error("deputy", _("The deputy must be somebody else."))
        if any(d.pk == staff.pk for d in data.get("further_deputies") or []):
            self.add_error("further_deputies", _("The deputy must be somebody else."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day must be on or after the first day."))
        if ends and ends < timezone.localdate():
            self.add_error("ends_on", _("The absence must not lie entirely in the past."))
        if starts and ends and (ends - starts) > dt.timedelta(days=366):
            self.add_error("ends_on", _("An absence can last at most one year."))
        data["staff"] = staff
        return data


class RoutingTestForm(GovForm):
    household = forms.CharField(
        label=_("BG number"),
        max_length=20,
        help_text=_("For example 12345BG0000001. Leave empty to test a document without a household."),
        required=False,
    )
    doc_type = forms.ChoiceField(label=_("Document type"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = doc_type_choices()

    def clean_household(self) -> Household | None:
        number = self.cleaned_data.get("household", "").strip().upper()
        if not number:
            return None
        household = Household.objects.filter(bg_number=number).first()
        if household is None:
            raise ValidationError(_("There is no household with this BG number."))
        return household


class SearchForm(GovForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class HouseholdSearchForm(GovForm):
    q = forms.CharField(
        label=_("BG number, name or date of birth"),
        required=False,
        max_length=100,
        help_text=_("Date of birth as DD.MM.YYYY."),
    )


class RegisterSearchForm(GovForm):
    q = forms.CharField(
        label=_("Search the case file"),
        required=False,
        max_length=100,
        help_text=_("Searches the text of the documents (OCR), titles, notes, receipt numbers and tags."),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args: Any, tags: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All tags")), *[(str(t.pk), t.name) for t in tags]]


class TagForm(GovForm):
    name = forms.CharField(label=_("Add a tag"), max_length=60)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter a tag."))
        return name


class ReleaseUploadForm(GovForm):
    doc_type = forms.ChoiceField(
        label=_("Kind of letter"),
        choices=[("bescheid", types.label("bescheid")), ("schreiben", types.label("schreiben"))],
        widget=forms.RadioSelect,
        initial="bescheid",
    )
    title = forms.CharField(
        label=_("Title the citizen sees"),
        max_length=200,
        help_text=_("For example: Decision on your continuation application of 1 March"),
    )
    file = forms.FileField(label=_("PDF file"), help_text=_("A PDF file of at most 20 MB."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RELEASE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError(_("The file must be a PDF."))
        return upload
