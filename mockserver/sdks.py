"""The client SDKs that the pytest plugin's clients and the built-in conformance adapters drive.

They are not dependencies of the package (a mock server needs neither), so a missing one is
reported by name, with the command that installs it, instead of a bare `ModuleNotFoundError`.
"""

from __future__ import annotations

import importlib.util

__all__ = ["SDK_PACKAGES", "MissingSDK", "require_sdk"]

# Module name -> the requirement that installs it (the versions the test suite runs against).
SDK_PACKAGES = {"llama_api_client": "llama-api-client==0.6.0", "openai": "openai>=3,<4"}


class MissingSDK(ImportError):
    """An SDK that a client or an adapter needs is not installed."""


def require_sdk(module: str, *, needed_by: str) -> None:
    """Raise `MissingSDK` naming `needed_by` and the pip command when `module` is not installed."""
    if importlib.util.find_spec(module) is not None:
        return
    requirement = SDK_PACKAGES[module]
    raise MissingSDK(
        f"{needed_by} needs the {module} package, which is not installed: "
        f"pip install 'llama-api-contract[sdk]' (both SDKs) or pip install '{requirement}'",
        name=module,
    )
