"""Client patterns matched in time linear in the text, by RE2."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2

__all__ = ["linear_regex", "matches"]


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every pattern it refuses to stderr
    return options


_RE2_OPTIONS = _re2_options()


@lru_cache(maxsize=256)
def linear_regex(pattern: str) -> Any:
    """`pattern` compiled by RE2, or None when RE2 cannot read it (lookaround, backreferences).

    RE2, not Python's backtracking `re`: patterns come from the client's schemas and the texts
    they are matched against may come from the client's conversation, and `^(a+)+$` on 30
    characters takes seconds in `re`; RE2 matches in time linear in the text."""
    try:
        return re2.compile(re.sub(r"\(\?<(?![=!])", "(?P<", pattern), _RE2_OPTIONS)
    except (re2.error, UnicodeEncodeError):  # RE2 reads UTF-8: a lone surrogate is not
        return None


def matches(pattern: str, text: str) -> bool:
    """Whether `pattern` finds a match in `text`, in time linear in the text; True when RE2 cannot
    read the pattern (lookaround, backreferences): the final validation of the whole instance, by a
    validator with a backtracking limit, decides then."""
    checker = linear_regex(pattern)
    if checker is None:
        return True
    try:
        return checker.search(text) is not None
    except UnicodeEncodeError:  # a lone surrogate: no JSON answer can carry this text
        return False
