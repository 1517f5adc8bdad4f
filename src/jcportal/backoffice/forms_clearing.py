"""Forms of the clearing and deputy pages (standing substitutions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.accounts import policy
from jcportal.core.forms import GovForm
from jcportal.households.models import Team
from jcportal.inbox.selectors import colleagues

from .forms_cases import StaffChoiceField


class SubstitutionForm(GovForm):
    """A standing substitution: the deputy covers a colleague whenever absent, or always a team."""

    deputy = StaffChoiceField(label=_("Deputy"), queryset=None)  # type: ignore[arg-type]
    staff = StaffChoiceField(
        label=_("Whenever this colleague is absent"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    team: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Or always for this team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Choose a colleague or a team."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = colleagues(user)
        self.fields["staff"].queryset = (
            policy.absence_staff(user).select_related("team").order_by("last_name", "first_name", "username")
        )
        teams = Team.objects.order_by("name")
        if not policy.can_administer(user):
            teams = teams.filter(pk__in=policy.led_team_ids(user))
        self.fields["team"].queryset = teams
        if not teams.exists():
            del self.fields["team"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        staff, team = data.get("staff"), data.get("team")
        if (staff is None) == (team is None):
            self.add_error("staff", _("Choose either a colleague or a team."))
        if staff is not None and data.get("deputy") is not None and staff.pk == data["deputy"].pk:
            self.add_error("deputy", _("The deputy must be somebody else."))
        return data
