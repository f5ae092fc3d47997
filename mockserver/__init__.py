"""The Llama API mock server: a Flask app over a framework-free service and response engine.

Names are imported on first use, so that loading the pytest plugin or the CLI stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.adapters.flask_app import create_app, service_of
    from mockserver.config import MockConfig
    from mockserver.core.http import MockRequest, MockResponse
    from mockserver.core.service import MockService

__all__ = ["MockConfig", "MockRequest", "MockResponse", "MockService", "create_app", "service_of"]

_HOMES = {
    "create_app": "mockserver.adapters.flask_app",
    "service_of": "mockserver.adapters.flask_app",
    "MockConfig": "mockserver.config",
    "MockRequest": "mockserver.core.http",
    "MockResponse": "mockserver.core.http",
    "MockService": "mockserver.core.service",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
