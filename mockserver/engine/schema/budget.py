"""A size budget for the JSON documents the engine builds from client schemas.

A `response_format` schema or a tool's `parameters` can ask for an instance too large to build
(`"minItems": 100000000`); building it would hold a worker at full CPU with its memory growing.
Before the engine builds anything, `oversized_schema` bounds from below the size of the smallest
instance each schema allows and names the keyword that makes it too large. The bound follows local
`$ref`s (a bounded number of levels), takes the smallest branch of `anyOf`/`oneOf` and the largest
of `allOf`; anything it cannot read counts as one character, so it never refuses a schema whose
instances fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.violations import Violation

__all__ = ["FLOOR_CHARS", "HARD_CAP_CHARS", "budget_chars", "oversized_schema"]

HARD_CAP_CHARS = 100_000  # never build a larger document (about a second of generation)
FLOOR_CHARS = 16_000  # a small max_completion_tokens still allows this (the answer is then cut)
CHARS_PER_TOKEN = 8
_MAX_DEPTH = 32


def budget_chars(max_completion_tokens: int | None) -> int:
    """The largest document (in JSON characters) the engine builds for this token limit."""
    if max_completion_tokens is None:
        return HARD_CAP_CHARS
    return min(HARD_CAP_CHARS, max(FLOOR_CHARS, CHARS_PER_TOKEN * max_completion_tokens))


@dataclass(frozen=True, slots=True)
class _Size:
    chars: int
    blame: str  # JSON Pointer of the keyword contributing most


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class _Estimator:
    def __init__(self, root: Any) -> None:
        self.root = root

    def size(self, schema: Any, pointer: str, depth: int) -> _Size:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return _Size(1, pointer)
        candidates = [_Size(1, pointer)]
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, Mapping) else None
            candidates.append(self.size(target, pointer + "/$ref", depth + 1))
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                sizes = [self.size(b, f"{pointer}/{key}/{i}", depth + 1)
                         for i, b in enumerate(branches)]  # fmt: skip
                candidates.append(min(sizes, key=lambda s: s.chars))
        parts = schema.get("allOf")
        if isinstance(parts, list):
            candidates += [self.size(p, f"{pointer}/allOf/{i}", depth + 1)
                           for i, p in enumerate(parts)]  # fmt: skip
        candidates += [self._string(schema, pointer), self._array(schema, pointer, depth),
                       self._object(schema, pointer, depth)]  # fmt: skip
        return max(candidates, key=lambda s: s.chars)

    @staticmethod
    def _string(schema: Mapping[str, Any], pointer: str) -> _Size:
        least = _count(schema.get("minLength"))
        return _Size(2 + least if least else 1, pointer + "/minLength")

    def _array(self, schema: Mapping[str, Any], pointer: str, depth: int) -> _Size:
        least = _count(schema.get("minItems"))
        if least == 0:
            return _Size(1, pointer)
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        sizes = [self.size(p, f"{pointer}/prefixItems/{i}", depth + 1)
                 for i, p in enumerate(prefix[:least])]  # fmt: skip
        rest = least - len(sizes)
        item = self.size(schema.get("items"), pointer + "/items", depth + 1)
        total = 2 + sum(s.chars + 1 for s in sizes) + rest * (item.chars + 1)
        inner = max([item, *sizes], key=lambda s: s.chars)
        blame = inner.blame if inner.chars > least else pointer + "/minItems"
        return _Size(total, blame)

    def _object(self, schema: Mapping[str, Any], pointer: str, depth: int) -> _Size:
        if not schema.get("required") and not _count(schema.get("minProperties")):
            return _Size(1, pointer)
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        names = [n for n in required if isinstance(n, str)] if isinstance(required, list) else []
        sizes = [self.size(properties.get(name), f"{pointer}/properties/{name}", depth + 1)
                 for name in names]  # fmt: skip
        total = 2 + sum(len(name) + 4 + s.chars for name, s in zip(names, sizes, strict=True))
        extra = max(0, _count(schema.get("minProperties")) - len(names))
        total += extra * 6
        biggest = max(sizes, key=lambda s: s.chars, default=None)
        if biggest is not None and biggest.chars >= extra * 6:
            return _Size(total, biggest.blame)
        return _Size(total, pointer + "/minProperties")


def oversized_schema(request: Mapping[str, Any], *, budget: int) -> Violation | None:
    """The first schema of `request` (response_format, then each tool's parameters) whose smallest
    instance is over `budget` characters, as a violation naming the keyword; None if all fit."""
    if "response_format" not in request and "tools" not in request:
        return None  # a plain chat request, the common case
    schemas: list[tuple[Any, str, str]] = []
    response_format = request.get("response_format")
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        wrapper = response_format.get("json_schema")
        if isinstance(wrapper, Mapping):
            schemas.append((wrapper.get("schema"), "/response_format/json_schema/schema",
                            "response_format.schema.unsupported"))
    tools = request.get("tools")
    if isinstance(tools, list) and request.get("tool_choice") != "none":
        for index, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, Mapping) else None
            if isinstance(function, Mapping):
                schemas.append((function.get("parameters"), f"/tools/{index}/function/parameters",
                                "tools.parameters.unsupported"))
    for schema, where, rule in schemas:
        size = _Estimator(schema).size(schema, "", 0)
        if size.chars > budget:
            keyword = size.blame.rsplit("/", 1)[-1]
            return Violation(rule, where + size.blame, (
                f"the smallest instance this schema allows is over {size.chars:,} characters "
                f"(set by {keyword!r}); the mock builds documents of at most {budget:,} "
                f"characters ({CHARS_PER_TOKEN} per max_completion_tokens, at least "
                f"{FLOOR_CHARS:,}, at most {HARD_CAP_CHARS:,})"))
    return None
