"""Which draft a client's schema is read in: the one the final validator (jsonschema-rs) takes
from the root's `$schema`, so that the generator reads the keywords the validator checks and no
other. No `$schema` (or one jsonschema-rs takes for the latest, such as
`http://json-schema.org/schema#`) is 2020-12; one it does not know is refused by the validator
before any instance is checked.

Only what the generator reads differently per draft is here: `contains` is a keyword from draft 6,
`minContains` and `maxContains` from 2019-09. A draft 7 schema with `minContains: 2` and
`maxContains: 1` is satisfiable (draft 7 ignores both), as its validator says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_MAX_CACHED_CHARS = 200  # a `$schema` longer than any draft's URI is looked up, not cached


@dataclass(frozen=True, slots=True)
class Dialect:
    contains: bool = True  # draft 6 and later
    contains_counts: bool = True  # minContains and maxContains: 2019-09 and later


LATEST = Dialect()


def dialect_of(root: Any) -> Dialect:
    """The dialect of the schema whose root is `root`, as jsonschema-rs reads its `$schema`."""
    declared = root.get("$schema") if isinstance(root, Mapping) else None
    if not isinstance(declared, str):
        return LATEST
    if len(declared) > _MAX_CACHED_CHARS:
        return _dialect.__wrapped__(declared)
    return _dialect(declared)


@lru_cache(maxsize=32)
def _dialect(declared: str) -> Dialect:
    import jsonschema_rs

    draft = jsonschema_rs.validator_cls_for({"$schema": declared})
    if draft is jsonschema_rs.Draft4Validator:
        return Dialect(contains=False, contains_counts=False)
    if draft in (jsonschema_rs.Draft6Validator, jsonschema_rs.Draft7Validator):
        return Dialect(contains_counts=False)
    return LATEST
