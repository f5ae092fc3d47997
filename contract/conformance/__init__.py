"""Conformance: the checks (a registry of named functions) and the report."""

__all__: list[str] = []
