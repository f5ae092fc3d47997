"""JSON instances for a JSON Schema: facts, collection, values."""

__all__: list[str] = []
