"""Scenarios and faults served in front of the chat engine."""

__all__: list[str] = []
