"""oneOf means exactly one: whether a value made for one alternative matches another too; and
whether an item matches a `contains` that maxContains limits.

`{"oneOf": [{"type": "integer"}, {"type": "number"}]}` takes 2.5 but not 2, which matches both.
The generator builds a value for one alternative; this asks the validator of each other one
(jsonschema-rs, offline, every subschema compiled once, on first use).
"""

from __future__ import annotations

from typing import Any

from mockserver.engine.schema.facts import Part


class OneOfCheck:
    """Validators of the subschemas of one root schema, by JSON Pointer, built when first asked."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._built = False
        self._validators: Any = None  # a jsonschema_rs.ValidatorMap, once built

    def other_match(self, value: Any, options: list[Part], chosen: int) -> int | None:
        """The index of an alternative other than `chosen` that `value` matches too, if any.
        An alternative the map does not know (reached through a `$ref` written with %-escapes)
        counts as not matching: the final validation of the whole instance still decides."""
        validators = self._map()
        for index, (_, pointer) in enumerate(options):
            if index == chosen:
                continue
            validator = validators.get("#" + pointer) if validators is not None else None
            if validator is not None and validator.is_valid(value):
                return index
        return None

    def matches(self, value: Any, pointer: str) -> bool:
        """Whether `value` is valid against the subschema at `pointer` (a `contains` under
        maxContains); False for one the map does not know: the final validation decides."""
        validators = self._map()
        validator = validators.get("#" + pointer) if validators is not None else None
        return validator is not None and bool(validator.is_valid(value))

    def _map(self) -> Any:
        if not self._built:
            self._built = True
            import jsonschema_rs

            try:
                self._validators = jsonschema_rs.validator_map_for(
                    self.root, validate_formats=True, offline=True
                )
            except ValueError:  # not a schema jsonschema-rs reads: the engine refuses it anyway
                self._validators = None
        return self._validators
