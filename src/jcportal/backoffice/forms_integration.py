"""Forms of the integration pages: API clients and webhook subscriptions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.api import scopes
from jcportal.api.models import ApiClient
from jcportal.core.forms import GovForm
from jcportal.households.models import ServiceOffice, Team


class ApiClientForm(GovForm):
    name = forms.SlugField(
        label=_("Name"),
        max_length=100,
        help_text=_("Letters, digits and hyphens, e.g. dms-ots or fachverfahren."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=scopes.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    all_households = forms.BooleanField(label=_("May see every household"), required=False)
    offices = forms.ModelMultipleChoiceField(
        label=_("Service offices"),
        queryset=ServiceOffice.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=100000, initial=600
    )

    def __init__(self, *args, instance: ApiClient | None = None, **kwargs):  # type: ignore[no-untyped-def]
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {
                "name": instance.name,
                "description": instance.description,
                "scopes": instance.scopes,
                "all_households": instance.all_households,
                "offices": list(instance.offices.all()),
                "teams": list(instance.teams.all()),
                "rate_limit_per_minute": instance.rate_limit_per_minute,
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["name"].disabled = True

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        others = ApiClient.objects.filter(name=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("An API client with this name exists already."))
        return name

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        sees_nothing = not data.get("all_households") and not data.get("offices") and not data.get("teams")
        if sees_nothing and not self.errors:
            raise forms.ValidationError(
                _("Choose which households the client may see: every household, or offices or teams.")
            )
        return data
