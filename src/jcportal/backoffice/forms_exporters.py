"""The exporter configuration form: common fields plus the chosen exporter's own options."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jcportal.core.forms import GovForm
from jcportal.events.catalogue import event_types
from jcportal.exporters.base import Exporter
from jcportal.exporters.services import event_types_for
from jcportal.households.models import Jobcenter

OPTION_PREFIX = "option_"


class ExporterConfigForm(GovForm):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("E.g. DMS hot folder."))
    jobcenter = forms.ModelChoiceField(label=_("Jobcenter"), queryset=Jobcenter.objects.order_by("name"))
    event_types = forms.MultipleChoiceField(
        label=_("Export on"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: the exporter's default events."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, plugin: Exporter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plugin = plugin
        self.fields["event_types"].choices = [
            (t, f"{t} – {event_types[t].description}") for t in event_types_for(plugin.identifier)
        ]
        for name, field in plugin.options_form.base_fields.items():
            self.fields[OPTION_PREFIX + name] = copy.deepcopy(field)
        if len(self.fields["jobcenter"].queryset) == 1 and not self.is_bound:
            self.fields["jobcenter"].initial = self.fields["jobcenter"].queryset.first()

    @classmethod
    def initial_for(cls, config: Any) -> dict[str, Any]:
        initial = {
            "name": config.name,
            "jobcenter": config.jobcenter_id,
            "event_types": config.event_types,
            "active": config.active,
        }
        initial.update({OPTION_PREFIX + k: v for k, v in (config.options or {}).items()})
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = {
            name: self.data.get(self.add_prefix(OPTION_PREFIX + name))
            for name in self.plugin.options_form.base_fields
        }
        options = self.plugin.options_form(raw)
        if options.is_valid():
            cleaned["options"] = options.cleaned_data
        else:
            for name, errors in options.errors.items():
                for error in errors:
                    self.add_error(OPTION_PREFIX + name if name != "__all__" else None, error)
        return cleaned
