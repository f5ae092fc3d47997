"""The Llama API mock server: a Flask app over a framework-free service and response engine."""

from mockserver.app import create_app, service_of
from mockserver.config import MockConfig
from mockserver.http import MockRequest, MockResponse
from mockserver.service import MockService

__all__ = ["MockConfig", "MockRequest", "MockResponse", "MockService", "create_app", "service_of"]
