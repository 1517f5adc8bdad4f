"""Every emitted event type is declared in the catalogue and documented; undeclared types are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from jcportal.events import catalogue
from jcportal.events.services import emit

SRC = Path(settings.BASE_DIR)
EMITTED = re.compile(r"""emit(?:_for)?\(\s*["']([a-z0-9_.]+)["']""")


def emitted_types() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for type_ in EMITTED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(type_, []).append(str(path.relative_to(SRC)))
    return found


def test_every_emitted_type_is_declared():
    found = emitted_types()
    assert "de.jcportal.document.received" in found  # the scan sees the hooks
    undeclared = {t: where for t, where in found.items() if t not in catalogue.event_types}
    assert not undeclared, f"emitted but not declared in events/catalogue.py: {undeclared}"


def test_the_scan_would_see_an_undeclared_type():
    assert EMITTED.findall('emit_for("de.jcportal.thing.happened", obj)') == ["de.jcportal.thing.happened"]


def test_every_declared_type_is_documented_with_a_description():
    page = (Path(settings.PROJECT_DIR) / "docs" / "integration" / "events.md").read_text(encoding="utf-8")
    for type_, info in catalogue.event_types.items():
        assert info.description and info.dataref.startswith("/api/v1/")
        assert f"`{type_}`" in page, f"{type_} missing from docs/integration/events.md"


@pytest.mark.django_db
def test_emit_refuses_an_undeclared_type():
    with pytest.raises(KeyError):
        emit("de.jcportal.document.lost", "1")
