"""The framework-free mock service: HTTP types, routes, chat handling, errors."""

__all__: list[str] = []
