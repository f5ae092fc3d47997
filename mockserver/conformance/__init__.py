"""Conformance runners that need HTTP: `run_server_checks` (httpx against a server) and
`run_client_checks` (built-in scenarios served to a client adapter on a live mock), and the
built-in client adapters."""

from mockserver.conformance.adapter_spec import AdapterError, resolve_adapter
from mockserver.conformance.adapters import BUILTIN_ADAPTERS
from mockserver.conformance.client_runner import run_client_checks
from mockserver.conformance.server_runner import ServerUnreachable, run_server_checks

__all__ = [
    "BUILTIN_ADAPTERS",
    "AdapterError",
    "ServerUnreachable",
    "resolve_adapter",
    "run_client_checks",
    "run_server_checks",
]
