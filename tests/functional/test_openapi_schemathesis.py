"""Schemathesis against the OpenAPI document: the document is the contract, and the server keeps it.

Every operation is called with generated valid and invalid inputs (bounded: a few dozen cases per
operation, about a minute for the whole API), and every built-in check runs on every answer: no 5xx, every
status and header answered is documented, bodies match their schemas, invalid input is refused, auth is
not ignored, a method a path does not take is 405 with ``Allow``.

Positive data may still be refused with 422: JSON Schema describes shapes and bounds, not check digits,
allocated mobile ranges or a district that exists, which only the domain can judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app

# Every built-in check (schemathesis.checks); the stateful ones need links between operations and are no-ops.
ALL_CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.positive_data_acceptance,
    openapi_checks.negative_data_rejection,
    openapi_checks.missing_required_header,
    openapi_checks.ignored_auth,
    openapi_checks.unsupported_method,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "410", "422", "429"]
            },
            # 413: a batch over its maxItems is ``batch_too_large`` (documented), not a 422.
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "409", "413", "415", "422", "429"]
            },
        },
    }
)


@pytest.fixture
def api_schema(sqlite_runtime: Runtime) -> Iterator[Any]:
    app = create_app(runtime=sqlite_runtime)
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture
def api_key(sqlite_runtime: Runtime) -> str:
    key = create_api_key(sqlite_runtime.ctx, actor="schemathesis", name="st", scopes=(Scope.ADMIN,))
    return key.presented


# schemathesis 4.32's fixture-backed schemas read and rename ``Node._nodeid`` (for reporting only), which
# pytest 9 no longer has: read the node id, ignore the renaming (failures still name the operation).
if not hasattr(pytest.Function, "_nodeid"):
    pytest.Function._nodeid = property(lambda node: node.nodeid, lambda node, value: None)  # type: ignore[attr-defined]

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# derandomize: the same cases on every run, so CI is reproducible (raise max_examples locally to explore).
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_contract(case: Any, api_key: str) -> None:
    # A batch answers 200 with every order at its index, an invalid one with its own coded error (issue 7:
    # one bad order must not fail the batch), so an invalid order inside a valid envelope is, by design, not
    # refused as a whole; test_api_contract.py checks the envelope and the per-item errors.
    excluded = [openapi_checks.negative_data_rejection] if case.operation.path == "/v1/waybills/batch" else []
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_key}"}, checks=ALL_CHECKS, excluded_checks=excluded
    )
