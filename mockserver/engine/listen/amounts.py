"""An amount written as text, as a tool result gives it ("price": "1 250,00 €"): the one number it
says, with its thousands and decimal marks read as written."""

from __future__ import annotations

import re

# "$1,250.50", "1250 kg", and the European "1 250,00 €" / "1.250,00": a mark between groups of three
# digits separates thousands, the other one (or a lone comma before the last digits) is the point.
_AMOUNT = re.compile(
    r"[^\d\-\u2212]{0,8}(?P<sign>[-\u2212]?)"
    r"(?P<whole>\d{1,3}(?:(?P<mark>[ ,.\u00a0\u202f])\d{3})*|\d+)"
    r"(?:(?P<point>[.,])(?P<decimals>\d+))?\D{0,12}"
)
MAX_CHARS = 40  # an amount is short; a longer text is no amount


def amount(text: str, *, whole: bool = False) -> int | float | None:
    """The one number `text` says (None when it says none, several, or one it cannot be sure of,
    such as "1,250,5"); with `whole`, only a whole number."""
    found = _AMOUNT.fullmatch(text.strip()) if len(text) <= MAX_CHARS else None
    if found is None:
        return None
    mark = found.group("mark")
    if mark is not None and mark == found.group("point"):
        return None
    digits = re.sub(r"\D", "", found.group("whole"))
    decimals = found.group("decimals")
    number: int | float = float(f"{digits}.{decimals}") if decimals else int(digits)
    if found.group("sign"):
        number = -number
    if whole:
        return int(number) if number == int(number) else None
    return number
