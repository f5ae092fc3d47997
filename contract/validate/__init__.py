"""Validating documents against the contract: schemas, semantic rules, streams."""

__all__: list[str] = []
