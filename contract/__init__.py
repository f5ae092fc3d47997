"""The Llama API contract: JSON Schemas, semantic rules, validators of requests and responses."""

from contract.reading import ReadError, parse_json
from contract.rules import RULES
from contract.schemas import SCHEMA_NAMES, load_schema, schema_path
from contract.validate.documents import (
    validate_moderation_request,
    validate_request,
    validate_request_bytes,
    validate_response,
)
from contract.validate.native_stream import validate_chunk, validate_stream
from contract.violations import ValidationResult, Violation

__all__ = [
    "RULES",
    "SCHEMA_NAMES",
    "ReadError",
    "ValidationResult",
    "Violation",
    "load_schema",
    "parse_json",
    "schema_path",
    "validate_chunk",
    "validate_moderation_request",
    "validate_request",
    "validate_request_bytes",
    "validate_response",
    "validate_stream",
]
