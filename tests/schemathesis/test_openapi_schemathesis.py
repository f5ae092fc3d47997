"""Schemathesis against the mock's own `/openapi.json`, in process over WSGI.

Every default check must pass: no 5xx, status codes, content types, headers and bodies as the
document declares them, data the document forbids is refused and data it allows is accepted.

"Data it allows": the contract is the JSON Schemas plus semantic rules a schema cannot state
(a named `tool_choice` must name one of the `tools`, for one). The OpenAPI document carries the
schemas, so a positive (schema-valid) body that breaks a semantic rule is rightly refused with
400; such bodies are filtered out of the positive cases by asking the contract itself. Negative
cases are not filtered.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import openapi

from contract import validate_moderation_request, validate_request
from mockserver import MockConfig, create_app

KEY = "schemathesis-key"
# With a key list the mock refuses other keys, so the check that wrong credentials are refused
# (ignored_auth) has something to check; with no list any non-empty key is accepted by design.
APP = create_app(MockConfig(api_keys=(KEY,)))
SCHEMA = openapi.from_wsgi("/openapi.json", APP)
AUTH = {"Authorization": f"Bearer {KEY}"}


def _semantically_valid(path: str, body: Any) -> bool:
    if path.endswith("/moderations"):
        return validate_moderation_request(body).ok
    return validate_request(body, endpoint="compat" if path.startswith("/compat") else "native").ok


@SCHEMA.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or case.method.upper() != "POST":
        return True
    return isinstance(case.body, dict) and _semantically_valid(case.path, case.body)


@SCHEMA.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH)
