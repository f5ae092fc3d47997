"""What the mock remembers: the store (memory, Redis), journal, limits, memo."""

__all__: list[str] = []
