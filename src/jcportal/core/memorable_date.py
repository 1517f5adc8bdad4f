"""The GOV.UK "memorable date" pattern: three boxes for day, month and year instead of a calendar picker.

For dates people know by heart (birth dates): a calendar picker makes them page back decades on a
phone. The widget hands the date field one text (``YYYY-MM-DD`` when all three boxes are filled, else
what was typed, which the field then rejects with its own message). A client that posts the date as one
value under the field's own name (older forms, tests, the API) still works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class MemorableDateWidget(forms.MultiWidget):
    template_name = "core/widgets/memorable_date.html"
    use_fieldset = True
    labels = (_("Day"), _("Month"), _("Year"))

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(size: int, css: str) -> forms.TextInput:
            return forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": size, "class": f"date-input__{css}", "dir": "ltr"}
            )

        super().__init__({"day": box(2, "day"), "month": box(2, "month"), "year": box(4, "year")}, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str) and value:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:  # what was typed, kept for correcting ("1988-02-31", "x.3.1988")
                parts = value.split("-")
                if len(parts) == 3 and len(parts[0]) == 4:
                    return [parts[2].lstrip("0"), parts[1].lstrip("0"), parts[0]]
                parts = value.split(".")
                return parts if len(parts) == 3 else [None, None, None]
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data and not any(f"{name}_{part}" in data for part in ("day", "month", "year")):
            return data.get(name)
        day, month, year = (str(v or "").strip() for v in super().value_from_datadict(data, files, name))
        if not (day or month or year):
            return ""
        if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{day}.{month}.{year}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.labels, strict=True):
            subwidget["label"] = label
        return context
