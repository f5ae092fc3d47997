"""Scalar instances (integers, numbers, strings) within the bounds that `Facts` collected."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

from contract.validate.explain import json_type_name
from mockserver.engine.schema.facts import Bound, Facts, SchemaProblem, canonical, exact
from mockserver.engine.schema.linear import matches
from mockserver.engine.schema.multiples import (
    OFFSETS,
    coarser,
    common_step,
    lattice,
    multiple_of_all,
    multiple_ok,
    none_between,
)
from mockserver.engine.schema.patterns import PatternError, pattern_string
from mockserver.engine.schema.plausible import (
    filler_word,
    format_string,
    plausible_integer,
    plausible_number,
    plausible_string,
)

DISTINCT_TRIES = 8  # fresh draws when uniqueItems rejects a value


def unsatisfiable(pointer: str, reason: str) -> SchemaProblem:
    return SchemaProblem("unsatisfiable", pointer, reason)


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value: 2.0 is an integer, as validators count it."""
    kind = json_type_name(value)
    return "integer" if kind == "number" and float(value).is_integer() else kind


def _above(value: Fraction, bound: Bound | None) -> bool:
    return bound is None or value > bound.value or (value == bound.value and not bound.exclusive)


def _below(value: Fraction, bound: Bound | None) -> bool:
    return bound is None or value < bound.value or (value == bound.value and not bound.exclusive)


def fits(value: Any, facts: Facts, *, multiples: bool = True) -> bool:
    """Whether a given value (an enum or const member) meets the scalar rules of `facts`
    (without `multiples`: all but multipleOf)."""
    kind = json_type(value)
    types = facts.types
    if types is not None and kind not in types and not (kind == "integer" and "number" in types):
        return False
    if kind in ("integer", "number"):
        if facts.lower is None and facts.upper is None and not facts.multiples:
            return True  # no exact fraction needed: the common case of a value heard
        number = exact(value)
        return (
            _above(number, facts.lower)
            and _below(number, facts.upper)
            and (not multiples or all(multiple_ok(value, m) for m in facts.multiples))
        )
    if kind == "string":
        if len(value) < facts.min_length:
            return False
        if facts.max_length is not None and len(value) > facts.max_length:
            return False
        return all(matches(pattern, value) for pattern in facts.patterns)
    return True


def _bounds_text(facts: Facts) -> str:
    named = [bound.keyword for bound in (facts.lower, facts.upper) if bound is not None]
    return " and ".join(named) or "the constraints"


def _integer_limit(bound: Bound | None, *, lower: bool) -> int | None:
    if bound is None:
        return None
    if lower:
        floor = math.floor(bound.value)
        return floor + 1 if bound.exclusive or floor < bound.value else floor
    ceiling = math.ceil(bound.value)
    return ceiling - 1 if bound.exclusive or ceiling > bound.value else ceiling


def make_integer(facts: Facts, rng: random.Random, hint: str, avoid: frozenset[str]) -> int:
    low = _integer_limit(facts.lower, lower=True)
    high = _integer_limit(facts.upper, lower=False)
    if low is not None and high is not None and low > high:
        raise unsatisfiable(facts.pointer, f"no integer satisfies {_bounds_text(facts)}")
    step = math.lcm(*(exact(m).numerator for m in facts.multiples)) if facts.multiples else 1
    target = plausible_integer(hint, rng)
    if low is not None and high is not None and not low <= target <= high:
        target = rng.randint(low, min(high, low + 99))
    elif low is not None and target < low:
        target = low
    elif high is not None and target > high:
        target = high
    base = -(-target // step) * step
    # Multiples Python's jsonschema counts too first; then those only JSON Schema's exact
    # arithmetic counts (3 for multipleOf 0.1: 3 / 0.1 is 30.000000000000004).
    for exactly in (False, True):
        for offset in OFFSETS:
            candidate = base + offset * step
            if (low is not None and candidate < low) or (high is not None and candidate > high):
                continue
            if canonical(candidate) not in avoid and multiple_of_all(
                candidate, facts.multiples, exactly=exactly
            ):
                return candidate
    if avoid:
        reason = f"uniqueItems needs more distinct integers than {_bounds_text(facts)} allow"
    else:
        reason = f"no multiple of {step} satisfies {_bounds_text(facts)}"
    raise unsatisfiable(facts.pointer, reason)


def make_number(facts: Facts, rng: random.Random, hint: str, avoid: frozenset[str]) -> int | float:
    lower, upper = facts.lower, facts.upper
    if (
        lower is not None
        and upper is not None
        and (
            lower.value > upper.value
            or (lower.value == upper.value and (lower.exclusive or upper.exclusive))
        )
    ):
        raise unsatisfiable(facts.pointer, f"no number satisfies {_bounds_text(facts)}")
    if facts.multiples:
        return _number_multiple(facts, rng, hint, avoid)
    target = exact(plausible_number(hint, rng))
    if not (_above(target, lower) and _below(target, upper)):
        if lower is not None and upper is not None:
            target = lower.value + (upper.value - lower.value) * Fraction(rng.randint(1, 99), 100)
        elif lower is not None:
            target = lower.value + (1 if lower.exclusive else 0)
        elif upper is not None:
            target = upper.value - (1 if upper.exclusive else 0)
    if lower is not None and upper is not None:
        # Bounds are finite floats, but their distance may not be one (-1e308 to 1e308).
        spread = float(upper.value / 4 - lower.value / 4)
    else:  # steps that still change a float this large, away from the one bound
        spread = max(1.0, abs(float(target)) / 1000) * (-1 if upper is not None else 1)
    for attempt in range(DISTINCT_TRIES):
        candidate = float(target) + (rng.random() * spread if attempt else 0.0)
        if math.isfinite(candidate) and fits(candidate, facts) and canonical(candidate) not in avoid:
            return candidate
    raise SchemaProblem(
        "unsupported",
        facts.pointer,
        f"the mock found no distinct float within {_bounds_text(facts)}",
    )


def _number_multiple(
    facts: Facts, rng: random.Random, hint: str, avoid: frozenset[str]
) -> int | float:
    step = common_step(facts.multiples)
    target = exact(plausible_number(hint, rng))
    # As in make_integer; last, coarser multiples, for steps too fine to move a float.
    passes = [(step, False), (step, True)]
    near = max(target, facts.lower.value) if facts.lower else target
    near = min(near, facts.upper.value) if facts.upper else near
    if (coarse := coarser(step, near)) != step:
        passes.append((coarse, True))
    for unit, exactly in passes:
        for candidate in lattice(unit, target, facts.lower, facts.upper):
            if (
                fits(candidate, facts, multiples=False)
                and multiple_of_all(candidate, facts.multiples, exactly=exactly)
                and canonical(candidate) not in avoid
            ):
                return candidate
    shown = str(step.numerator) if step.denominator == 1 else str(float(step))
    if avoid or none_between(step, facts.lower, facts.upper):
        distinct = " with distinct values" if avoid else ""
        raise unsatisfiable(
            facts.pointer, f"no multiple of {shown} satisfies {_bounds_text(facts)}{distinct}"
        )
    raise SchemaProblem(
        "unsupported",
        facts.pointer,
        f"the mock found no float that is a multiple of {shown} within {_bounds_text(facts)}",
    )


def make_string(facts: Facts, rng: random.Random, hint: str, avoid: frozenset[str]) -> str:
    low, high = facts.min_length, facts.max_length
    if high is not None and low > high:
        raise unsatisfiable(facts.pointer, f"minLength {low} is greater than maxLength {high}")
    for attempt in range(DISTINCT_TRIES):
        text = _string_candidate(facts, rng, hint, attempt)
        if canonical(text) not in avoid:
            return text
    raise unsatisfiable(
        facts.pointer, "uniqueItems needs more distinct strings than the mock could find"
    )


def _string_candidate(facts: Facts, rng: random.Random, hint: str, attempt: int) -> str:
    low, high = facts.min_length, facts.max_length
    for fmt in facts.formats:
        text = format_string(fmt, rng)
        if text is None:
            continue
        if len(text) < low or (high is not None and len(text) > high):
            raise SchemaProblem(
                "unsupported",
                facts.pointer,
                f"the mock's {fmt} values such as {text!r} have {len(text)} characters, "
                f"outside minLength {low} / maxLength {high}",
            )
        break
    else:
        if not facts.patterns:
            plain = (
                plausible_string(hint, rng)
                if attempt < 2
                else filler_word(rng) + str(attempt)
            )
            return _fit_length(plain, low, high, rng)
        try:
            text = pattern_string(facts.patterns[0], rng, min_length=low, max_length=high)
        except PatternError as exc:
            raise SchemaProblem("unsupported", facts.pointer, str(exc)) from None
    if not all(matches(pattern, text) for pattern in facts.patterns):
        raise SchemaProblem(
            "unsupported",
            facts.pointer,
            f"the mock cannot make one string that matches all of the patterns {facts.patterns}"
            + (f" and format {facts.formats[0]}" if facts.formats else ""),
        )
    return text


def _fit_length(text: str, low: int, high: int | None, rng: random.Random) -> str:
    while len(text) < low:
        text += " " + filler_word(rng)
    if high is not None and len(text) > high:
        text = text[:high].rstrip() or text[:high]
        text += "x" * (low - len(text))
    return text
