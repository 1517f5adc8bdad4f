"""Tools for the accessibility proofs in real Chromium: URL enumeration, object ids per role, axe-core.

The sweep (``core/tests/test_a11y_sweep.py``) walks the URL resolver, so every page added later is
covered without touching the test. Machine endpoints (files, PDFs, JSON, redirects) are skipped by an
explicit list; a route that answers with something other than HTML and is not on the list fails the sweep.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import axe_playwright_python
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["de", "de-ls", "ar", "ti", "tr", "en", "fa"]

# Namespaces that are not pages for people: the Django admin (not part of the portal's UI) and the API.
SKIP_NAMESPACES = {"admin", "api"}
# Routes that are not HTML pages: files, PDFs, JSON, redirects, POST-only actions. Explicit on purpose.
SKIP_NAMES = {
    "core:healthz",  # JSON
    "core:livez",  # JSON (probe)
    "core:readyz",  # JSON (probe)
    "core:metrics",  # Prometheus text behind a token
    "core:set-language",  # redirect
    "core:sign-language-video",  # video file
    "core:accessibility-feedback-handled",  # POST only
    "core:after-login",  # redirect
    "accounts:logout",  # POST only
    "accounts:oidc-login",  # redirect to the identity provider
    "accounts:oidc-callback",  # redirect target of the identity provider
    "portal:document-pdf",  # PDF
    "portal:document-thumbnail",  # image
    "portal:document-download",  # file
    "portal:document-original",  # file
    "portal:release-download",  # file
    "portal:document-receipt",  # PDF
    "backoffice:document-view",  # PDF
    "backoffice:document-page",  # image of one page
    "eforms:schema",  # JSON
    "eforms:pdf",  # PDF
    "eforms:resume",  # redirect
    "backoffice:access-letter",  # PDF
    "backoffice:scan-batch-page",  # image
    "backoffice:scan-separators",  # PDF
}
# Also skipped by name: what is obviously a file.
MACHINE_NAME = re.compile(
    r"(^|[-_:])(download|pdf|json|csv|export|thumbnail|image|file|original|raw)($|[-_])"
)


@dataclass
class Route:
    name: str  # "namespace:name"
    kwargs: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def _walk(patterns: list[Any], namespace: str, inherited: list[str]) -> Iterator[Route]:
    for entry in patterns:
        names = inherited + list(getattr(entry.pattern, "converters", {}).keys())
        if not names and hasattr(entry.pattern, "regex"):
            names = inherited + list(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}:{entry.name}" if namespace else entry.name, names)


def routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, "", []):
        seen.setdefault(route.name, route)
    return list(seen.values())


def is_skipped(route: Route) -> bool:
    return (
        route.namespace in SKIP_NAMESPACES
        or route.name in SKIP_NAMES
        or bool(MACHINE_NAME.search(route.name.split(":", 1)[-1]))
    )


# --- object ids for the shared kwarg names ---------------------------------------------------------
KWARG_MODELS = {
    "household_id": "households.Household",
    "document_id": "documents.Document",
    "item_id": "inbox.InboxItem",
    "submission_id": "eforms.Submission",
    "request_id": "docrequests.DocumentRequest",
    "batch_id": "scanning.ScanBatch",
    "access_request_id": "accounts.AccessRequest",
    "representation_id": "accounts.Representation",
    "user_id": "accounts.User",
}


def _model_for(kwarg: str) -> type[models.Model] | None:
    label = KWARG_MODELS.get(kwarg)
    if label:
        try:
            return apps.get_model(label)
        except LookupError:
            return None
    stem = kwarg.removesuffix("_id").replace("_", "")
    for model in apps.get_models():  # e.g. release_id -> DocumentRelease
        if model._meta.model_name.endswith(stem):
            return model
    return None


def _household_path(model: type[models.Model]) -> str | None:
    household = apps.get_model("households.Household")
    if model is household:
        return "pk"
    if model is apps.get_model("accounts.User"):
        return "person__household"
    fks = [f for f in model._meta.get_fields() if f.many_to_one and f.concrete and f.related_model]
    for f in fks:
        if f.related_model is household:
            return f.name
    for f in fks:
        for g in f.related_model._meta.get_fields():  # type: ignore[union-attr]
            if g.many_to_one and g.concrete and g.related_model is household:
                return f"{f.name}__{g.name}"
    return None


def kwarg_candidates(kwarg: str, household: Any, limit: int = 3) -> list[Any]:
    """Values for ``kwarg`` that point at the demo household's own objects (newest first)."""
    if kwarg == "form_slug":
        from jcportal.eforms import registry

        return list(registry.slugs())
    if kwarg == "step":
        from jcportal.eforms import registry

        names: list[str] = []
        for slug in registry.slugs():
            definition = registry.current(slug)
            if definition.steps and definition.steps[0].name not in names:
                names.append(definition.steps[0].name)
        return names
    if kwarg == "version":
        return [1]
    model = _model_for(kwarg)
    if model is None:
        return []
    queryset = model._default_manager.all()
    path = _household_path(model)
    if path is not None:
        queryset = queryset.filter(**{path: household.pk if path == "pk" else household})
    return list(queryset.order_by("-pk").values_list("pk", flat=True)[:limit])


def candidate_urls(route: Route, household: Any, limit: int = 8) -> list[str]:
    if not route.kwargs:
        return [reverse(route.name)]
    values = [kwarg_candidates(k, household) for k in route.kwargs]
    if not all(values):
        return []
    urls = []
    for combination in itertools.islice(itertools.product(*values), limit):
        try:
            urls.append(reverse(route.name, kwargs=dict(zip(route.kwargs, combination, strict=True))))
        except Exception:  # noqa: S112 - a value that does not fit the converter
            continue
    return urls


# --- axe-core ---------------------------------------------------------------------------------------
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page; injected through DevTools, so CSP stays on."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def start_axe(page: Any) -> None:
    """Start axe-core in the page without waiting (several tabs can check at the same time)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    page.evaluate(
        f"(tags) => {{ window.__axeDone = false; ({AXE_RUN})(tags).then(r => {{ window.__axeResult = r; window.__axeDone = true; }}, e => {{ window.__axeResult = [{{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}}]; window.__axeDone = true; }}); }}",
        WCAG_TAGS,
    )


def axe_result(page: Any) -> list[dict[str, Any]]:
    page.wait_for_function("() => window.__axeDone === true", timeout=60_000)
    return page.evaluate("() => window.__axeResult")


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {node}" for node in v["nodes"])
    return "\n".join(lines)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = reflows)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def assert_accessible(page: Any, where: str) -> None:
    """No axe-core violation on the current page, and it reflows (no sideways scrolling)."""
    violations = axe_violations(page)
    assert not violations, format_violations(where, violations)
    assert horizontal_overflow(page) <= 0, f"{where} scrolls horizontally"


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40),
          name: el.getAttribute('name'), visible: outline || shadow, width: r.width, height: r.height};
}"""
