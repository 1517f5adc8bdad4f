"""The form engine: forms are data (``FormDefinition``), one set of views runs them all.

A definition is a versioned list of steps; a step holds fields, an optional condition (the step is
shown only when the answers so far meet it) and an optional repeat (one group of the fields per person,
the number taken from an earlier answer). The engine turns a step into a Django form (``build_form``),
stores answers as JSON-safe values (``to_json``), renders them readably (``display``) and derives the
published JSON Schema of a version (``json_schema``).

Answers are kept per step: ``data[step] = {field: value}`` or, for repeated steps,
``data[step] = [{field: value}, ...]``. Conditions refer to answers as ``"step.field"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import formats
from django.utils.functional import Promise, lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban

from jcportal.core.forms import GovForm
from jcportal.core.memorable_date import MemorableDateWidget

# --- Field kinds -------------------------------------------------------------------------------------
TEXT = "text"
TEXTAREA = "textarea"
DATE = "date"
CHOICE = "choice"  # a drop-down list
RADIO = "radio"
YESNO = "yesno"  # radio buttons yes / no, stored as "yes" / "no"
MULTI = "multichoice"  # check boxes, stored as a list
CHECKBOX = "checkbox"  # one check box, stored as a bool
NUMBER = "number"  # a whole number
AMOUNT = "amount"  # euros with cents, stored as a string "1234.56"
IBAN = "iban"
POSTCODE = "postcode"
PHONE = "phone"
EMAIL = "email"
FILE = "file"  # evidence: stored as a list of document ids
INFO = "info"  # an info box, no input

KINDS = {
    TEXT,
    TEXTAREA,
    DATE,
    CHOICE,
    RADIO,
    YESNO,
    MULTI,
    CHECKBOX,
    NUMBER,
    AMOUNT,
    IBAN,
    POSTCODE,
    PHONE,
    EMAIL,
    FILE,
    INFO,
}
YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _interpolate(text: Promise | str, values: dict[str, Any]) -> str:
    return str(text) % values


# A translated text with named placeholders, interpolated only when rendered (in the current language).
interpolate = lazy(_interpolate, str)


@dataclass(frozen=True)
class When:
    """A condition on earlier answers: ``When("household.children_count", gt=0)``."""

    path: str
    equals: Any = None
    contains: Any = None
    gt: int | None = None

    def __call__(self, data: dict[str, Any]) -> bool:
        value = lookup(data, self.path)
        if self.equals is not None:
            return bool(value == self.equals)
        if self.contains is not None:
            return isinstance(value, list) and self.contains in value
        if self.gt is not None:
            try:
                return int(value or 0) > self.gt
            except (TypeError, ValueError):
                return False
        return bool(value)


def lookup(data: dict[str, Any], path: str) -> Any:
    step, _sep, name = path.partition(".")
    values = data.get(step)
    if isinstance(values, dict):
        return values.get(name)
    return None


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: Promise | str
    help: Promise | str = ""
    required: bool = True
    choices: tuple[tuple[str, Promise | str], ...] = ()
    max_length: int = 200
    min_value: int | None = None
    max_value: int | None = None
    doc_type: str = ""  # FILE: the document type of the evidence
    prefill: str = ""  # key into the definition's prefill data
    show_if: When | None = None  # only asked when the condition holds (evaluated on earlier steps)
    source: str = ""  # where the field comes from on the paper form (docs)
    picture: str = ""  # picture help: a static file shown with the field
    picture_alt: Promise | str = ""
    memorable: bool = False  # DATE: day, month, year boxes (GOV.UK memorable date), e.g. birth dates
    # RADIO: the choices come from the prefill data under this key (e.g. the household's members); the
    # field is asked only when there are at least two to choose from
    choices_from: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if self.kind == YESNO and not self.choices:
            object.__setattr__(self, "choices", YES_NO)

    @property
    def is_input(self) -> bool:
        return self.kind != INFO


@dataclass(frozen=True)
class Repeat:
    """Ask the step's fields once per item; the count comes from an earlier answer."""

    count_from: str
    item_label: Promise | str  # e.g. "Child %(number)s"
    max_items: int = 10


@dataclass(frozen=True)
class Step:
    name: str
    title: Promise | str
    fields: tuple[Field, ...]
    intro: Promise | str = ""
    condition: When | Callable[[dict[str, Any]], bool] | None = None
    repeat: Repeat | None = None
    validate: Callable[[dict[str, Any]], dict[str, str] | None] | None = None
    source: str = ""  # section of the paper form
    include: str = ""  # a template shown above the fields (e.g. the household's current data)

    def applies(self, data: dict[str, Any]) -> bool:
        return self.condition is None or bool(self.condition(data))

    def item_count(self, data: dict[str, Any]) -> int:
        if self.repeat is None:
            return 1
        step, _sep, name = self.repeat.count_from.partition(".")
        try:
            count = int(lookup(data, self.repeat.count_from) or 0)
        except (TypeError, ValueError):
            count = 0
        del step, name
        return max(0, min(count, self.repeat.max_items))

    @property
    def input_fields(self) -> list[Field]:
        return [f for f in self.fields if f.is_input]

    @property
    def has_files(self) -> bool:
        return any(f.kind == FILE for f in self.fields)


@dataclass(frozen=True)
class FormDefinition:
    slug: str
    version: int
    valid_from: dt.date
    title: Promise | str
    short_title: Promise | str
    description: Promise | str
    steps: tuple[Step, ...]
    doc_type: str
    official_name: str = ""  # the paper form this follows (docs)
    needs_account: bool = True
    workflow: str = "plain"  # plain | confirm | approve | preregistration
    records_application_date_after: str = ""  # step after which the Tag der Antragstellung counts
    evidence_notes: tuple[Promise | str, ...] = ()
    warnings: Callable[[dict[str, Any], Any], list[str]] | None = None
    minutes: int = 10
    extra: dict[str, Any] = field(default_factory=dict)

    def step(self, name: str) -> Step | None:
        for step in self.steps:
            if step.name == name:
                return step
        return None

    def applicable_steps(self, data: dict[str, Any]) -> list[Step]:
        """Steps that apply, judged step by step on the answers before each step."""
        result: list[Step] = []
        for step in self.steps:
            if step.applies(data) and (step.repeat is None or step.item_count(data) > 0):
                result.append(step)
        return result

    def next_step(self, data: dict[str, Any], after: str | None) -> Step | None:
        steps = self.applicable_steps(data)
        if after is None:
            return steps[0] if steps else None
        names = [s.name for s in steps]
        if after in names:
            index = names.index(after) + 1
            return steps[index] if index < len(steps) else None
        # the step no longer applies: continue with the first applicable step after it in the definition
        order = [s.name for s in self.steps]
        position = order.index(after) if after in order else -1
        for step in steps:
            if order.index(step.name) > position:
                return step
        return None

    def previous_step(self, data: dict[str, Any], before: str) -> Step | None:
        steps = self.applicable_steps(data)
        names = [s.name for s in steps]
        if before in names and names.index(before) > 0:
            return steps[names.index(before) - 1]
        return None

    def first_incomplete(self, data: dict[str, Any]) -> Step | None:
        for step in self.applicable_steps(data):
            if step.name not in data:
                return step
            stored = data[step.name]
            if step.repeat is not None and (
                not isinstance(stored, list) or len(stored) != step.item_count(data)
            ):
                return step  # the number of persons changed after this step was filled in
        return None

    @property
    def key(self) -> tuple[str, int]:
        return (self.slug, self.version)


# --- Django form fields ------------------------------------------------------------------------------
class AmountField(forms.Field):
    """Euros: accepts ``1.234,56``, ``1234,56``, ``1234.56`` and ``1234``; cleans to a ``Decimal``."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter an amount in euros, for example 1.234,56 or 450."),
        "negative": _("The amount cannot be negative."),
    }

    def to_python(self, value: Any) -> Decimal | None:
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        if len(value) > 20:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parse_amount(value, self.error_messages)


def parse_amount(text: str, messages: dict[str, Any] | None = None) -> Decimal:
    messages = messages or AmountField.default_error_messages
    raw = text.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", raw) or re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", raw):
        raw = raw.replace(",", "")
    if raw.startswith("-"):
        raise ValidationError(messages["negative"], code="negative")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", raw):
        raise ValidationError(messages["invalid"], code="invalid")
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above excludes it
        raise ValidationError(messages["invalid"], code="invalid") from exc


class IBANField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "Enter a valid IBAN, for example DE89 3704 0044 0532 0130 00. Please check every digit."
        ),
    }

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        compact = stdnum_iban.compact(value)
        if not stdnum_iban.is_valid(compact):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return compact


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CameraOrFilesInput(MultipleFileInput):
    """Two file inputs under one name: the first opens the phone's camera directly (``capture``), the
    second lets the person choose photos or PDFs they already have (on Android, ``capture`` alone hides
    that choice, e.g. for a bank statement downloaded as PDF). The server reads both as one list."""

    FILES_ONLY = {"accept": "image/*,application/pdf"}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={**self.FILES_ONLY, "capture": "environment", **(attrs or {})})

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        camera = super().render(name, value, attrs, renderer)
        files_id = f"{(attrs or {}).get('id') or 'id_' + name}-files"
        files = MultipleFileInput(attrs=self.FILES_ONLY).render(name, value, {"id": files_id}, renderer)
        return format_html(
            '{}<label class="label label--secondary" for="{}">{}</label>{}',
            camera,
            files_id,
            _("Or choose photos or PDF files"),
            files,
        )

    def use_required_attribute(self, initial: Any) -> bool:
        # Neither input can be required in the browser: either one may carry the files.
        return False


class EvidenceField(forms.FileField):
    """One or more photos or PDFs; on phones the camera opens directly (``capture``)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        files = [f for f in files if f]
        from django.conf import settings

        limit = int(getattr(settings, "UPLOAD_MAX_FILE_BYTES", 20 * 1024 * 1024))
        for item in files:
            if getattr(item, "size", 0) > limit:
                raise ValidationError(
                    _("The file %(name)s is too large: at most %(size)s MB per file."),
                    code="too_large",
                    params={"name": item.name, "size": limit // (1024 * 1024)},
                )
            if getattr(item, "size", 1) == 0:
                raise ValidationError(
                    _("The file %(name)s is empty."), code="empty", params={"name": item.name}
                )
        if self.required and not files and not initial:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
POSTCODE_VALIDATOR = RegexValidator(r"^\d{5}$", _("Enter a postcode with 5 digits, for example 12345."))
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ()/-]{4,28}[0-9]$",
    _("Enter a phone number, for example 0151 2345678 or +49 151 2345678."),
)


def django_field(spec: Field, initial_files: list[str] | None = None) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.label,
        "help_text": spec.help,
        "required": spec.required,
    }
    kind = spec.kind
    if kind == TEXT:
        return forms.CharField(max_length=spec.max_length, **common)
    if kind == TEXTAREA:
        return forms.CharField(
            max_length=spec.max_length if spec.max_length > 200 else 4000,
            widget=forms.Textarea(attrs={"rows": 5}),
            **common,
        )
    if kind == DATE:
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=MemorableDateWidget()
            if spec.memorable
            else forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Enter a real date, for example 31.01.2026.")},
            **common,
        )
    if kind == CHOICE:
        return forms.ChoiceField(choices=[("", _("Please choose")), *spec.choices], **common)
    if kind in (RADIO, YESNO):
        return forms.ChoiceField(choices=spec.choices, widget=forms.RadioSelect, **common)
    if kind == MULTI:
        return forms.MultipleChoiceField(choices=spec.choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == CHECKBOX:
        return forms.BooleanField(**common)
    if kind == NUMBER:
        return forms.IntegerField(
            min_value=spec.min_value if spec.min_value is not None else 0,
            max_value=spec.max_value,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind == AMOUNT:
        return AmountField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--amount"}),
            **common,
        )
    if kind == IBAN:
        return IBANField(
            max_length=42,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
            **common,
        )
    if kind == POSTCODE:
        return forms.CharField(
            max_length=5,
            min_length=5,
            validators=[POSTCODE_VALIDATOR],
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "dir": "ltr"}
            ),
            error_messages={"min_length": POSTCODE_VALIDATOR.message},
            **common,
        )
    if kind == PHONE:
        return forms.CharField(
            max_length=30,
            validators=[PHONE_VALIDATOR],
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
            **common,
        )
    if kind == EMAIL:
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}), **common
        )
    if kind == FILE:
        if initial_files:
            common["required"] = False
        return EvidenceField(widget=CameraOrFilesInput(), **common)
    raise ValueError(kind)


def field_key(step: Step, spec: Field, index: int | None) -> str:
    return spec.name if index is None else f"p{index}-{spec.name}"


class StepForm(GovForm):
    """A step's form; ``groups`` lists (legend, [field names]) for repeated steps."""

    groups: list[tuple[str, list[str]]]
    step: Step

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.step.validate is not None and not self.errors:
            for index, values in enumerate(self.items_from(cleaned)):
                problems = self.step.validate(values) or {}
                for name, message in problems.items():
                    key = name if self.step.repeat is None else f"p{index}-{name}"
                    self.add_error(key if key in self.fields else None, message)
        return cleaned

    def error_summary(self, labelled: bool = True) -> list[dict[str, str]]:
        """Like GovForm's, but each message names its field (and person), so the list makes sense alone."""
        legends = {name: legend for legend, names in getattr(self, "groups", []) for name in names}
        items = super().error_summary(labelled=False)
        named = []
        for item in items:
            # the longest matching id: "id_landlord_iban" belongs to landlord_iban, not to landlord
            matches = [
                n for n in self.fields if item["anchor"] and item["anchor"].startswith(self[n].auto_id)
            ]
            name = max(matches, key=lambda n: len(self[n].auto_id), default=None)
            if name is not None:
                label = str(self.fields[name].label)
                prefix = f"{legends[name]}, {label}" if name in legends else label
                separator = " " if prefix.endswith("?") else ": "
                item = {**item, "message": f"{prefix}{separator}{item['message']}"}
            named.append(item)
        return named

    def items_from(self, cleaned: dict[str, Any]) -> list[dict[str, Any]]:
        if self.step.repeat is None:
            return [{f.name: cleaned.get(f.name) for f in self.step.input_fields}]
        items = []
        for index, _group in enumerate(self.groups):
            items.append({f.name: cleaned.get(f"p{index}-{f.name}") for f in self.step.input_fields})
        return items


def build_form(
    step: Step,
    data: dict[str, Any],
    post: Any = None,
    files: Any = None,
    prefill: dict[str, Any] | None = None,
    partial: dict[str, Any] | list[dict[str, Any]] | None = None,
) -> StepForm:
    """The Django form for ``step``, filled with the stored answers (or the prefill)."""
    stored = data.get(step.name)
    count = step.item_count(data)
    fields: dict[str, forms.Field] = {}
    initial: dict[str, Any] = {}
    groups: list[tuple[str, list[str]]] = []
    indexes: list[int | None] = [None] if step.repeat is None else list(range(count))
    for index in indexes:
        if index is None:
            values = stored if isinstance(stored, dict) else (partial if isinstance(partial, dict) else {})
        else:
            source = stored if isinstance(stored, list) else partial if isinstance(partial, list) else []
            values = source[index] if index < len(source) else {}
        names: list[str] = []
        for spec in step.input_fields:
            if spec.show_if is not None and not spec.show_if(data):
                continue
            if spec.choices_from:
                options = tuple((prefill or {}).get(spec.choices_from) or ())
                if len(options) < 2:
                    continue
                spec = replace(spec, choices=options)
            key = field_key(step, spec, index)
            existing = values.get(spec.name)
            if existing is None and spec.name not in values and spec.prefill and prefill:
                existing = prefill.get(spec.prefill)
            fields[key] = django_field(spec, initial_files=existing if spec.kind == FILE else None)
            if spec.kind != FILE and existing not in (None, ""):
                initial[key] = from_json(spec, existing)
            names.append(key)
        if step.repeat is not None and index is not None:
            groups.append((str(step.repeat.item_label) % {"number": index + 1}, names))
    form_class = type("StepForm_" + step.name, (StepForm,), dict(fields))
    form = form_class(data=post, files=files, initial=initial)
    form.groups = groups
    form.step = step
    return form


# --- Stored values -----------------------------------------------------------------------------------
def to_json(spec: Field, value: Any) -> Any:
    if value is None or value == "":
        return None if spec.kind not in (MULTI,) else []
    if spec.kind == DATE:
        return value.isoformat()
    if spec.kind == AMOUNT:
        return f"{Decimal(value):.2f}"
    if spec.kind == MULTI:
        return list(value)
    if spec.kind == CHECKBOX:
        return bool(value)
    if spec.kind == NUMBER:
        return int(value)
    return value


def from_json(spec: Field, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == DATE:
        return dt.date.fromisoformat(value)
    if spec.kind == AMOUNT:
        return formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return value


def step_values(step: Step, form: StepForm) -> dict[str, Any] | list[dict[str, Any]]:
    """JSON-safe answers of a valid form (files are handled by the caller)."""
    items = []
    for raw in form.items_from(form.cleaned_data):
        items.append(
            {spec.name: to_json(spec, raw.get(spec.name)) for spec in step.input_fields if spec.kind != FILE}
        )
    return items[0] if step.repeat is None else items


def partial_values(step: Step, form: StepForm) -> dict[str, Any] | list[dict[str, Any]]:
    """The answers of the fields that are valid on their own (used by "save and continue later")."""
    cleaned = getattr(form, "cleaned_data", {})
    indexes: list[int | None] = [None] if step.repeat is None else list(range(len(form.groups)))
    items = [
        {
            spec.name: to_json(spec, cleaned[field_key(step, spec, index)])
            for spec in step.input_fields
            if spec.kind != FILE and field_key(step, spec, index) in cleaned
        }
        for index in indexes
    ]
    return items[0] if step.repeat is None else items


# --- Readable rendering ------------------------------------------------------------------------------
def display_value(spec: Field, value: Any, documents: dict[str, str] | None = None) -> str:
    if value is None or value == "" or value == []:
        return "–"
    choices = {k: str(v) for k, v in spec.choices}
    if spec.kind in (CHOICE, RADIO, YESNO):
        return choices.get(value, str(value))
    if spec.kind == MULTI:
        return ", ".join(choices.get(v, str(v)) for v in value)
    if spec.kind == CHECKBOX:
        return str(_("Yes")) if value else str(_("No"))
    if spec.kind == DATE:
        return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if spec.kind == AMOUNT:
        return f"{formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} €"
    if spec.kind == IBAN:
        return stdnum_iban.format(value)
    if spec.kind == FILE:
        documents = documents or {}
        return ", ".join(documents.get(str(v), str(_("File received"))) for v in value)
    return str(value)


@dataclass
class Row:
    label: str
    value: str
    kind: str
    name: str


@dataclass
class Section:
    step: Step
    title: str
    rows: list[Row]


def display(
    definition: FormDefinition, data: dict[str, Any], documents: dict[str, str] | None = None
) -> list[Section]:
    """The answers as titled sections of (label, readable value), in the current language."""
    sections: list[Section] = []
    for step in definition.applicable_steps(data):
        stored = data.get(step.name)
        if stored is None:
            continue
        items = stored if isinstance(stored, list) else [stored]
        for index, values in enumerate(items):
            title = str(step.title)
            if step.repeat is not None:
                title = f"{step.title}: {str(step.repeat.item_label) % {'number': index + 1}}"
            rows = [
                Row(
                    str(spec.label),
                    display_value(spec, values.get(spec.name), documents),
                    spec.kind,
                    spec.name,
                )
                for spec in step.input_fields
                if (spec.show_if is None or spec.show_if(data))
                and spec.name in values
                and not (spec.choices_from and values.get(spec.name) in (None, ""))  # was not asked
            ]
            sections.append(Section(step=step, title=title, rows=rows))
    return sections


def evidence_ids(definition: FormDefinition, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field name, document id) of every evidence file in the answers."""
    result: list[tuple[str, str]] = []
    for step in definition.steps:
        stored = data.get(step.name)
        items = stored if isinstance(stored, list) else [stored] if isinstance(stored, dict) else []
        for values in items:
            for spec in step.fields:
                if spec.kind == FILE:
                    result.extend((spec.name, str(doc)) for doc in values.get(spec.name) or [])
    return result


# --- JSON Schema -------------------------------------------------------------------------------------
def _field_schema(spec: Field) -> dict[str, Any]:
    description = str(spec.label)
    schema: dict[str, Any]
    if spec.choices_from:  # the choices depend on the household
        schema = {"type": ["string", "null"]}
    elif spec.kind in (CHOICE, RADIO, YESNO):
        schema = {"type": ["string", "null"], "enum": [k for k, _v in spec.choices] + [None]}
    elif spec.kind == MULTI:
        schema = {"type": "array", "items": {"enum": [k for k, _v in spec.choices]}, "uniqueItems": True}
    elif spec.kind == CHECKBOX:
        schema = {"type": "boolean"}
    elif spec.kind == NUMBER:
        schema = {"type": ["integer", "null"], "minimum": spec.min_value or 0}
        if spec.max_value is not None:
            schema["maximum"] = spec.max_value
    elif spec.kind == DATE:
        schema = {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif spec.kind == AMOUNT:
        schema = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$"}
    elif spec.kind == IBAN:
        schema = {"type": ["string", "null"], "pattern": r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"}
    elif spec.kind == POSTCODE:
        schema = {"type": ["string", "null"], "pattern": r"^\d{5}$"}
    elif spec.kind == EMAIL:
        schema = {"type": ["string", "null"], "format": "email"}
    elif spec.kind == FILE:
        schema = {"type": "array", "items": {"type": "string", "format": "uuid"}}
    else:
        schema = {"type": ["string", "null"], "maxLength": 4000 if spec.kind == TEXTAREA else spec.max_length}
    schema["description"] = description
    return schema


def _step_schema(step: Step) -> dict[str, Any]:
    item = {
        "type": "object",
        "title": str(step.title),
        "properties": {spec.name: _field_schema(spec) for spec in step.input_fields},
        "required": [
            spec.name
            for spec in step.input_fields
            if spec.required and spec.show_if is None and spec.kind not in (FILE,)
        ],
        "additionalProperties": False,
    }
    if step.repeat is not None:
        return {"type": "array", "title": str(step.title), "items": item, "maxItems": step.repeat.max_items}
    return item


def json_schema(definition: FormDefinition, schema_id: str = "") -> dict[str, Any]:
    """The JSON Schema (2020-12) of the machine-readable submission of this form version."""
    from django.utils import translation

    with translation.override("en"):
        data_schema = {
            "type": "object",
            "properties": {step.name: _step_schema(step) for step in definition.steps},
            "required": [
                step.name for step in definition.steps if step.condition is None and step.repeat is None
            ],
            "additionalProperties": False,
        }
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": schema_id,
            "title": f"{definition.official_name or definition.title} (v{definition.version})",
            "type": "object",
            "properties": {
                "form": {"const": definition.slug},
                "version": {"const": definition.version},
                "valid_from": {"const": definition.valid_from.isoformat()},
                "reference": {"type": "string", "pattern": r"^JC-\d{4}-\d{6}-\d$"},
                "submitted_at": {"type": "string", "format": "date-time"},
                "application_date": {"type": ["string", "null"], "format": "date"},
                "language": {"type": "string"},
                "household": {"type": ["string", "null"], "description": "BG number"},
                "data": data_schema,
            },
            "required": ["form", "version", "reference", "submitted_at", "data"],
            "additionalProperties": False,
        }


def choices_of(pairs: Iterable[tuple[str, Promise | str]]) -> tuple[tuple[str, Promise | str], ...]:
    return tuple(pairs)
