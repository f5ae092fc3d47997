"""What the parts of the instance generator (`arrays.py`, `objects.py`) share with it: its state
and `value`, which the generator (`instances.py`) defines."""

from __future__ import annotations

import random
from typing import Any

from mockserver.engine.listen.answers import Answers
from mockserver.engine.schema.collect import Collector
from mockserver.engine.schema.exclusive import OneOfCheck
from mockserver.engine.schema.facts import Part


class GeneratorPart:
    collector: Collector
    subschemas: OneOfCheck
    rng: random.Random
    answers: Answers | None
    shallow_from: int  # depth from which only what is needed
    heard_optional_only: bool  # a tool call's arguments: an optional one only when heard

    def value(
        self,
        parts: list[Part],
        depth: int,
        hint: str,
        avoid: frozenset[str] = frozenset(),
        *,
        pointer: str = "",
    ) -> Any:
        raise NotImplementedError
