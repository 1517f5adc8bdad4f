"""The live OpenAPI schema against the API: schemathesis generates requests for every operation (with a
token that has every scope) and checks that nothing answers 5xx and every response fits the schema;
then every operation is called without a token (401) and with a token lacking its scope (403)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi import checks as openapi_checks

from jcportal.api import scopes
from jcportal.api.services import create_client

pytestmark = pytest.mark.django_db

TOKEN = "jcp_schemathesis_" + "x" * 40  # noqa: S105 - a test token


@pytest.fixture
def api_schema(db, delivered_document):  # type: ignore[no-untyped-def]
    from django.core import signals
    from django.db import close_old_connections

    create_client(
        "schemathesis",
        scopes=scopes.all_scopes(),
        all_households=True,
        token=TOKEN,
        rate_limit_per_minute=100000,
    )
    # in-process WSGI calls must not close the test's database connection (as Django's test client does)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        # The many calls counted against the client's rate limit; ids repeat in the next test's database
        # (a later client with the same id and the default limit would start over its limit).
        from django.core.cache import caches

        for cache in caches.all():
            cache.clear()


def test_every_operation_conforms_to_the_schema(api_schema):  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case):  # type: ignore[no-untyped-def]
            # Not "positive_data_acceptance": schema-valid values that refer to nothing (an opaque cursor, a team
            # code that does not exist) are rightly refused with 400; every other check (no 5xx, status codes,
            # content types, response bodies and headers against the schema) applies.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {TOKEN}"},
                excluded_checks=[openapi_checks.positive_data_acceptance],
            )

        call()


def _operations(api_schema):  # type: ignore[no-untyped-def]
    raw = api_schema.raw_schema
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _concrete(path: str, operation: dict) -> str:  # type: ignore[type-arg]
    """The path with a well-formed value of each parameter's type (an object that does not exist)."""
    import re

    types = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p.get("in") == "path"}

    def value(match: re.Match) -> str:  # type: ignore[type-arg]
        schema = types.get(match.group(1), {})
        if schema.get("type") == "integer":
            return "1"
        if schema.get("format") == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "12345BG0000099" if "bg" in match.group(1) else "x1"

    return re.sub(r"\{([^}]+)\}", value, path)


def test_every_operation_refuses_a_missing_token_and_a_missing_scope(api_schema, client, make_api_client):
    _, scopeless = make_api_client("no-scopes", [], all_households=True)
    checked = 0
    for path, method, _operation in _operations(api_schema):
        if path.startswith(("/api/v1/schema", "/api/v1/docs")):
            continue
        url = _concrete(path, _operation)
        anonymous = getattr(client, method)(url, content_type="application/json")
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        denied = getattr(scopeless, method)(url, content_type="application/json")
        assert denied.status_code == 403, (method, path, denied.status_code)
        checked += 1
    assert checked >= 8


def test_linked_operations_as_a_stateful_workflow(api_schema):  # type: ignore[no-untyped-def]
    """schemathesis follows the schema's OpenAPI links (``api/links.py``): a created upload's id into
    its parts and completion, a household's BG number into its letters and requests, a listed
    document's id into its PDF and acknowledgement … With the same checks as above at every step."""
    from jcportal.api.links import LINKS

    published = {
        (operation["operationId"], target)
        for item in api_schema.raw_schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
        for response in operation.get("responses", {}).values()
        for target in response.get("links", {})
    }
    assert {(source, target) for source, _codes, target, _parameters in LINKS} <= published

    followed: list[tuple[str, int]] = []
    workflow_class = api_schema.as_state_machine()

    class Workflow(workflow_class):  # type: ignore[misc,valid-type]
        def before_call(self, case):  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}

        def after_call(self, response, case):  # type: ignore[no-untyped-def]
            followed.append((case.operation.definition.raw.get("operationId", ""), response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            case.validate_response(
                response,
                additional_checks=additional_checks,
                # ignored_auth replays the step with the token schemathesis thinks it generated (here it is
                # the test's own): refusals without token or scope are the next test's, operation by operation.
                excluded_checks=[openapi_checks.positive_data_acceptance, openapi_checks.ignored_auth],
                transport_kwargs=kwargs,
            )

    Workflow.run(
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=5,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
    )
    targets = {target for _source, _codes, target, _parameters in LINKS}
    reached = {operation for operation, status in followed if operation in targets and status < 300}
    assert reached, f"no linked operation answered 2xx: {sorted(set(followed))[:40]}"
