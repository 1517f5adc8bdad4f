"""A very small, safe text markup for the pages the administrator edits (no HTML is ever passed through).

- a blank line separates paragraphs;
- a line starting with ``## `` is a heading (rendered as ``<h2>``), ``### `` as ``<h3>``;
- consecutive lines starting with ``- `` form a bulleted list;
- ``[text](https://…)``, ``[text](mailto:…)``, ``[text](tel:…)`` or ``[text](/path/)`` is a link.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:|tel:|/)[^)\s]*)\)")


def _inline(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(match.group(2))}">{escape(match.group(1))}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _flush(html: list[str], paragraph: list[str], items: list[str]) -> None:
    if paragraph:
        html.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
        paragraph.clear()
    if items:
        html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
        items.clear()


def render(body: str) -> SafeString:
    html: list[str] = []
    for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        paragraph: list[str] = []
        items: list[str] = []
        for raw in block.split("\n"):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("### "):
                _flush(html, paragraph, items)
                html.append(f"<h3>{_inline(line[4:])}</h3>")
            elif line.startswith("## "):
                _flush(html, paragraph, items)
                html.append(f"<h2>{_inline(line[3:])}</h2>")
            elif line.startswith("- "):
                _flush(html, paragraph, [])
                items.append(line[2:])
            else:
                _flush(html, [], items)
                paragraph.append(line)
        _flush(html, paragraph, items)
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text above is escaped
