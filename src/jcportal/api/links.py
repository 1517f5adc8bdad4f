"""OpenAPI links between the API's operations (drf-spectacular postprocessing hook).

A link says where an answer's value goes next: the ``id`` of a created upload into its parts and its
completion, a household's BG number into its letters and document requests, a listed document's ``id``
into its PDF and acknowledgement. Integrators' generators and schemathesis' stateful tests follow them
(``api/tests/test_schemathesis.py``).
"""

from __future__ import annotations

from typing import Any

# (source operation, its status codes, target operation, {target parameter: runtime expression})
LINKS: list[tuple[str, tuple[str, ...], str, dict[str, str]]] = []


def _link(source: str, codes: tuple[str, ...], parameter: str, expression: str, *targets: str) -> None:
    for target in targets:
        LINKS.append((source, codes, target, {parameter: expression}))


_link(
    "households_upsert",
    ("200", "201"),
    "bg_number",
    "$request.path.bg_number",
    "households_retrieve",
    "letters_create",
    "document_requests_create",
)
_link("letters_create", ("201",), "letter_id", "$response.body#/id", "letters_retrieve")
_link("document_requests_create", ("201",), "request_id", "$response.body#/id", "document_requests_retrieve")
_link(
    "uploads_create",
    ("201",),
    "upload_id",
    "$response.body#/id",
    "uploads_retrieve",
    "uploads_part",
    "uploads_complete",
    "uploads_delete",
)
_link(
    "webhooks_create",
    ("201",),
    "webhook_id",
    "$response.body#/id",
    "webhooks_retrieve",
    "webhooks_update",
    "webhooks_rotate_secret",
    "webhooks_delete",
)
_link(
    "documents_list",
    ("200",),
    "document_id",
    "$response.body#/results/0/id",
    "documents_retrieve",
    "documents_pdf",
    "documents_text",
    "documents_acknowledge",
)
_link(
    "submissions_list",
    ("200",),
    "submission_id",
    "$response.body#/results/0/id",
    "submissions_retrieve",
    "submissions_pdf",
    "submissions_fachverfahren",
)
_link(
    "households_list",
    ("200",),
    "bg_number",
    "$response.body#/results/0/bg_number",
    "households_retrieve",
)


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add :data:`LINKS` to the responses of the schema (operations that are not in it are left out)."""
    operations: dict[str, dict[str, Any]] = {}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operations[operation["operationId"]] = operation
    for source, codes, target, parameters in LINKS:
        if source not in operations or target not in operations:
            continue
        for code in codes:
            response = operations[source].get("responses", {}).get(code)
            if response is None:
                continue
            response.setdefault("links", {})[target] = {"operationId": target, "parameters": parameters}
    return result
