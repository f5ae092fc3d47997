"""Scenario files: the model, loading and building, matching, faults."""

__all__: list[str] = []
