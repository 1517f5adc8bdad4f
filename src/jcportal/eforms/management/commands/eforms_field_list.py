"""Print the field list of every form version as Markdown (pasted into docs/developers/forms.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from jcportal.eforms import registry
from jcportal.eforms.engine import When


def field_list_markdown() -> str:
    lines: list[str] = []
    with translation.override("en"):
        for d in registry.all_definitions():
            lines.append(
                f"### `{d.slug}` v{d.version}: {d.official_name} "
                f"(valid from {d.valid_from.isoformat()}, workflow `{d.workflow}`)\n"
            )
            lines.append("| Step | Field | Kind | Required | Source / condition |")
            lines.append("|---|---|---|---|---|")
            for step in d.steps:
                condition = ""
                if isinstance(step.condition, When):
                    c = step.condition
                    condition = f"if `{c.path}`" + (
                        f" = `{c.equals}`"
                        if c.equals is not None
                        else f" contains `{c.contains}`"
                        if c.contains is not None
                        else ""
                    )
                if step.repeat is not None:
                    condition += f" once per `{step.repeat.count_from}`"
                for f in step.input_fields:
                    source = "; ".join(x for x in [f.source or step.source, condition.strip()] if x)
                    kind = f.kind + (f" → `{f.doc_type}`" if f.doc_type else "")
                    required = "yes" if f.required else "no"
                    lines.append(f"| {step.name} | `{f.name}` {f.label} | {kind} | {required} | {source} |")
            lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the field list of every online service form version (Markdown)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(field_list_markdown())
