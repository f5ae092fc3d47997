"""multipleOf: which numbers count as multiples, and the multiples within bounds to try."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from fractions import Fraction

from mockserver.engine.schema.facts import Bound, exact

OFFSETS = (0, *(sign * step for step in range(1, 65) for sign in (1, -1)))
_LARGEST_FLOAT = Fraction(sys.float_info.max)
_SHORT = 10**12  # multiples this far apart near a number are distinct floats of short decimals


def multiple_ok(value: int | float, multiple: int | float) -> bool:
    """multipleOf as Python's jsonschema checks it (float division for float divisors)."""
    if isinstance(multiple, float):
        try:
            quotient = value / multiple
        except OverflowError:  # an integer beyond the floats: jsonschema divides exactly then
            return exact_multiple(value, multiple)
        return math.isfinite(quotient) and int(quotient) == quotient
    return value % multiple == 0


def exact_multiple(value: int | float, multiple: int | float) -> bool:
    """multipleOf as JSON Schema defines it, on the numbers as written, and as the mock's
    validator checks it: 0.3 is a multiple of 0.1, though 0.3 / 0.1 is 2.9999999999999996."""
    return (exact(value) / exact(multiple)).denominator == 1


def multiple_of_all(value: int | float, multiples: list[int | float], *, exactly: bool) -> bool:
    """A multiple of each (`exactly`: as JSON Schema says; else for Python's jsonschema too)."""
    return all(
        exact_multiple(value, m) and (exactly or multiple_ok(value, m)) for m in multiples
    )


def common_step(multiples: list[int | float]) -> Fraction:
    """The least number that is a multiple of each of `multiples`."""
    fractions = [exact(m) for m in multiples]
    return Fraction(
        math.lcm(*(f.numerator for f in fractions)), math.gcd(*(f.denominator for f in fractions))
    )


def none_between(step: Fraction, lower: Bound | None, upper: Bound | None) -> bool:
    """Whether no multiple of `step` lies within the bounds (exactly, as JSON Schema counts)."""
    if lower is None or upper is None:
        return False
    least, most = math.ceil(lower.value / step), math.floor(upper.value / step)
    least += 1 if lower.exclusive and least * step == lower.value else 0
    most -= 1 if upper.exclusive and most * step == upper.value else 0
    return least > most


def coarser(step: Fraction, near: Fraction) -> Fraction:
    """A multiple of `step` whose own multiples near `near` differ as floats: multiples of 1e-300
    near 4 all round to 4.0, those of 1e-12 do not (and they are multiples of 1e-300 too)."""
    wanted = max(abs(near), Fraction(1)) / _SHORT
    if step >= wanted:
        return step
    return step * int(10 ** len(str(math.ceil(wanted / step))))


def lattice(
    unit: Fraction, target: Fraction, lower: Bound | None, upper: Bound | None
) -> Iterator[int | float]:
    """Multiples of `unit` nearest to `target` within the bounds' range (the bounds' exclusivity
    is left to the caller), as JSON numbers: integers, or the floats nearest to them."""
    base = round(target / unit)
    if lower is not None:
        base = max(base, math.ceil(lower.value / unit))
    if upper is not None:
        base = min(base, math.floor(upper.value / unit))
    for offset in OFFSETS:
        value = (base + offset) * unit
        if value.denominator == 1:
            yield int(value)
        elif abs(value) <= _LARGEST_FLOAT:
            yield float(value)
