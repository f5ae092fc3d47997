"""Conformance checks as plain named functions in a small registry, each with a rule id: server
checks grade one `Exchange`, client checks one `ClientCase` (see the adapter contract)."""

from contract.conformance.checks.client_model import (
    Adapter,
    CallTimedOut,
    ClientCase,
    ClientOutcome,
    Conversation,
    RequestSeen,
    ToolCallOutcome,
    Unsupported,
)
from contract.conformance.checks.curl import curl_command
from contract.conformance.checks.exchange import Exchange, parse_sse
from contract.conformance.checks.registry import (
    Check,
    CheckOutcome,
    get_check,
    register,
    registered_checks,
    run_checks,
)

__all__ = [
    "Adapter",
    "CallTimedOut",
    "Check",
    "CheckOutcome",
    "ClientCase",
    "ClientOutcome",
    "Conversation",
    "Exchange",
    "RequestSeen",
    "ToolCallOutcome",
    "Unsupported",
    "curl_command",
    "get_check",
    "parse_sse",
    "register",
    "registered_checks",
    "run_checks",
]
