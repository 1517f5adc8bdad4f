"""Form rendering in the manner of the GOV.UK Design System.

Every field gets a visible label, an optional hint, an inline error message and ``aria-describedby``
pointing at hint and error; every form starts with an error summary that links to the fields.
Forms of all apps inherit ``GovFormMixin`` (or ``GovForm`` / ``GovModelForm``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class GovFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class GovBoundField(forms.BoundField):
    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}_hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described = []
        if self.help_text:
            described.append(self.hint_id)
        if self.form.is_bound and self.errors:
            described.append(self.error_id)
            attrs["aria-invalid"] = "true"
        if described and not self.field.widget.use_fieldset:
            attrs["aria-describedby"] = " ".join(described)
        elif "aria-describedby" in attrs and not described:
            del attrs["aria-describedby"]
        return attrs


class GovFormMixin:
    bound_field_class: type[forms.BoundField] | None = GovBoundField
    template_name_div = "core/forms/form.html"

    def error_summary(self, labelled: bool = True) -> list[dict[str, str]]:
        """(message, anchor) pairs for the error summary, in the order of the fields.

        ``labelled``: each message starts with its field's label ("First name: This field is required."),
        so a list of six identical messages still says which fields are meant."""
        items: list[dict[str, str]] = []
        form: forms.BaseForm = self  # type: ignore[assignment]
        for error in form.non_field_errors():
            items.append({"message": str(error), "anchor": ""})
        for name, field in form.fields.items():
            if name in form.errors:
                bound = form[name]
                anchor = bound.auto_id
                if field.widget.use_fieldset and hasattr(field.widget, "subwidgets"):
                    subwidgets = bound.subwidgets
                    if subwidgets:
                        anchor = subwidgets[0].id_for_label
                label = str(field.label or "") if labelled else ""
                separator = " " if label.endswith("?") else ": "
                for error in form.errors[name]:
                    message = f"{label}{separator}{error}" if label else str(error)
                    items.append({"message": message, "anchor": anchor})
        return items


class GovForm(GovFormMixin, forms.Form):
    pass


class GovModelForm(GovFormMixin, forms.ModelForm):
    pass
