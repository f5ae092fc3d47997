"""Cheap deterministic draws from a SHA-256 stream.

Seeding a `random.Random` costs more than the rest of a plain text answer, so text answers draw
from the request digest directly; `random.Random` is made only for schema instances.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_REFILL_BELOW = 1 << 64  # keep at least 64 bits in the pool: the modulo bias stays negligible


class Draws:
    __slots__ = ("_block", "_pool")

    def __init__(self, digest: bytes) -> None:
        self._block = digest
        self._pool = int.from_bytes(digest, "big")

    def below(self, bound: int) -> int:
        """A number in range(bound)."""
        if self._pool < _REFILL_BELOW:
            self._block = hashlib.sha256(self._block).digest()
            self._pool = (self._pool << 256) | int.from_bytes(self._block, "big")
        self._pool, drawn = divmod(self._pool, bound)
        return drawn

    def choice(self, options: Sequence[T]) -> T:
        return options[self.below(len(options))]

    def between(self, low: int, high: int) -> int:
        """A number in [low, high]."""
        return low + self.below(high - low + 1)
