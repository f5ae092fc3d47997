"""The pytest plugin: fixtures, assertions, markers and the report."""

__all__: list[str] = []
