"""The instance generator: a JSON value for a schema, the conversation's values first
(`instances.py`), its arrays (`arrays.py`) and objects (`objects.py`) apart for size."""

__all__: list[str] = []
