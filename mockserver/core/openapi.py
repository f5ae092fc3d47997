"""`/openapi.json`: an OpenAPI 3.1 document built from the contract's schemas and the route table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from contract.models import MODELS
from contract.schemas import load_schema
from contract.validate.documents import lenient_variant
from contract.validate.nulls import nullable_variant
from mockserver.core.routes import Route

_TITLE = "Llama API (llama-api-contract mock)"


_WARNINGS_HEADER: dict[str, Any] = {
    "description": "Contract warnings about the request (unknown fields, ...) as a JSON array of "
    "{rule, path, message}; absent when there are none. Whole warnings up to 4096 bytes: the "
    "rest are counted in x-contract-warnings-omitted",
    "required": False,
    "schema": {"type": "string", "contentMediaType": "application/json"},
}
_OMITTED_HEADER: dict[str, Any] = {
    "description": "How many warnings did not fit in x-contract-warnings (the journal has them all)",
    "required": False,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}
_REQUEST_ID_HEADER: dict[str, Any] = {
    "description": "The id of the request in the mock's journal",
    "required": True,
    "schema": {"type": "string", "pattern": "^req_[0-9]+$"},
}


def _component_name(schema_name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_.]", schema_name))


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/components/schemas/{prefix}_{value.removeprefix('#/$defs/')}"
            elif key == "$ref" and value == "#":
                out[key] = f"#/components/schemas/{prefix}"
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def _add_schema(
    components: dict[str, Any], schema_name: str, *, lenient: bool = False
) -> dict[str, str]:
    name = _component_name(schema_name)
    if name not in components:
        schema = dict(
            lenient_variant(load_schema(schema_name)) if lenient else load_schema(schema_name)
        )
        if lenient and schema_name == "compat-chat-request":  # null read as left out
            schema = nullable_variant(schema)
        defs = schema.pop("$defs", {})
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        components[name] = _rewrite_refs(schema, name)
        for def_name, definition in defs.items():
            components[f"{name}_{def_name}"] = _rewrite_refs(definition, name)
    return {"$ref": f"#/components/schemas/{name}"}


def _json(ref: dict[str, str], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _stream_event(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    """One server-sent event of a chat stream (OpenAPI 3.1: `schema` describes each event)."""
    chunk = {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": _add_schema(components, f"{route.dialect}-stream-chunk"),
    }
    data: dict[str, Any] = chunk
    if route.dialect == "compat":
        data = {"anyOf": [{"const": "[DONE]"}, chunk]}
    return {
        "type": "object",
        "description": "A server-sent event: `data:` holds one stream chunk"
        + (" or `[DONE]`, the last record" if route.dialect == "compat" else ""),
        "required": ["data"],
        "properties": {"data": data},
    }


def _operation(route: Route, components: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    dialect = route.dialect
    # Without --strict the server accepts unknown request fields (with a warning), so the
    # document must too; otherwise clients and fuzzers are told such bodies are refused.
    lenient = not strict
    error = _add_schema(components, f"{dialect}-error")
    responses: dict[str, Any] = {
        "401": _json(error, "Missing or rejected bearer key"),
    }
    operation: dict[str, Any] = {
        "operationId": f"{dialect}_{route.handler}",
        "security": [{"bearer": []}],
    }
    if route.handler == "chat":
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _add_schema(components, f"{dialect}-chat-request", lenient=lenient)
                }
            },
        }
        ok = _json(_add_schema(components, f"{dialect}-chat-response"), "A chat completion")
        ok["content"]["text/event-stream"] = {"schema": _stream_event(route, components)}
        responses.update(
            {
                "200": ok,
                "400": _json(error, "The request breaks the contract"),
                "413": _json(error, "Body too large"),
                "429": _json(error, "Rate limit exceeded"),
            }
        )
        for status in ("200", "400", "429"):
            responses[status]["headers"] = {"x-contract-warnings": _WARNINGS_HEADER,
                                            "x-contract-warnings-omitted": _OMITTED_HEADER}
    elif route.handler == "models":
        responses["200"] = _json(_add_schema(components, "models-list"), "The models")
    elif route.handler == "model":
        operation["parameters"] = [
            {
                "name": "model",
                "in": "path",
                "required": True,
                # Not empty and no "/": `/models/` is the list of models, not one model.
                "schema": {"type": "string", "pattern": "^[^/]+$"},
                # Fuzzers draw ids from these examples too, so they reach the 200 answer.
                "examples": {m.id: {"value": m.id} for m in MODELS},
            }
        ]
        responses["200"] = _json(_add_schema(components, "model"), "One model")
        responses["404"] = _json(error, "No such model")
    elif route.handler == "moderations":
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _add_schema(components, "moderation-request", lenient=lenient)
                }
            },
        }
        responses["200"] = _json(_add_schema(components, "moderation-response"), "Moderation")
        responses["400"] = _json(error, "The request breaks the contract")
        responses["413"] = _json(error, "Body too large")
    elif route.handler == "health":
        operation.pop("security")
        responses = {
            "200": {
                "description": "The server is up",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"status": {"const": "ok"}},
                            "required": ["status"],
                        }
                    }
                },
            }
        }
    for response in responses.values():
        response.setdefault("headers", {})["x-request-id"] = _REQUEST_ID_HEADER
    operation["responses"] = responses
    return operation


def build_openapi(
    routes: Iterable[Route], *, server_url: str = "/", strict: bool = False
) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not route.documented or route.admin:
            continue
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(
            route, components, strict=strict
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _TITLE,
            "version": "0.1.0",
            "description": "Generated from the llama-api-contract JSON Schemas.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
